#!/usr/bin/env bash
# Runs gloss-bench, then the git equivalent of each scenario on the same data
# shape, on the same machine, in the same run, and prints Gloss / git.
#
#   Benchmarks/compare-git.sh [--n 10000,100000] [--runs 5] [--large]
#
# The git side: a repository with one file per annotation (1,000 files) and
# one commit per edit, written with `git fast-import`; sync through
# `git daemon` on 127.0.0.1. Results go to Benchmarks/results/{gloss,git}.json.
set -euo pipefail
cd "$(dirname "$0")/.."

sizes=10000,100000
runs=5
while (($#)); do
    case "$1" in
        --n) sizes=$2; shift 2 ;;
        --runs) runs=$2; shift 2 ;;
        --large) sizes="$sizes,1000000"; shift ;;
        *) echo "usage: $0 [--n N,N...] [--runs R] [--large]" >&2; exit 64 ;;
    esac
done

# As shipped: one self-contained binary (see README), which also starts faster.
swift build -c release --static-swift-stdlib --product gloss >/dev/null
swift build -c release --static-swift-stdlib --product gloss-bench >/dev/null
.build/release/gloss-bench --n "$sizes" --runs "$runs" --json Benchmarks/results/gloss.json

python3 - "$sizes" "$runs" <<'PYTHON'
import json, os, resource, shutil, socket, statistics, subprocess, sys, tempfile, time

sizes = [int(n) for n in sys.argv[1].split(",")]
runs = int(sys.argv[2])
quick_runs = max(runs, 9)  # as gloss-bench: the scenarios that take milliseconds run at least nine times
annotations = 1000
env = dict(os.environ, GIT_AUTHOR_NAME="Dara", GIT_AUTHOR_EMAIL="dara@example.org",
           GIT_COMMITTER_NAME="Dara", GIT_COMMITTER_EMAIL="dara@example.org")

def run(args, cwd=None, check=True, stdin=None, measuring_memory=False):
    """Runs a command; returns (seconds, its peak resident bytes when measuring_memory, else None).
    The peak comes from GNU time: wait4's figure for a child starts from this
    script's own high-water mark, which Linux carries across exec."""
    if measuring_memory:
        args = ["/usr/bin/time", "-f", "%M"] + args
    start = time.monotonic()
    process = subprocess.Popen(args, cwd=cwd, env=env, stdin=subprocess.PIPE if stdin is not None else None,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    if stdin is not None:
        process.stdin.write(stdin)
        process.stdin.close()
    _, status, _ = os.wait4(process.pid, 0)
    seconds = time.monotonic() - start
    errors = process.stderr.read().decode()
    if check and status != 0:
        raise SystemExit(f"{' '.join(args)} failed: {errors}")
    return seconds, int(errors.strip().splitlines()[-1]) * 1024 if measuring_memory else None

def content(k):
    """What edit k writes to its annotation's file: a note, a status or a tag, as gloss-bench does."""
    round_ = k // annotations
    kind = k % 3
    if kind == 0:
        return f'{{"note": "note {k}: the ICJ calls the charges spurious"}}\n'
    if kind == 1:
        return '{"status": "%s"}\n' % ["checked", "verified", "disputed", "open"][round_ % 4]
    return f'{{"tag": "t{round_}"}}\n'

def fast_import(first, count, parent, mark_base, seconds_base):
    """A fast-import stream of `count` commits (edits first..first+count) on main."""
    out = []
    for i in range(count):
        k = first + i
        body = content(k).encode()
        message = f"edit {k}".encode()
        out.append(b"commit refs/heads/main\n")
        out.append(b"mark :%d\n" % (mark_base + i + 1))
        out.append(b"committer Dara <dara@example.org> %d +0000\n" % (seconds_base + k))
        out.append(b"data %d\n%s\n" % (len(message), message))
        if i == 0 and parent:
            out.append(b"from %s\n" % parent.encode())
        out.append(b"M 100644 inline annotations/%04d.json\n" % (k % annotations))
        out.append(b"data %d\n%s\n" % (len(body), body))
    return b"".join(out)

def initial_tree():
    out = [b"commit refs/heads/main\n", b"mark :1\n", b"committer Dara <dara@example.org> 1700000000 +0000\n",
           b"data 12\n1000 created\n"]
    for a in range(annotations):
        body = f'{{"note": "annotation {a}"}}\n'.encode()
        out.append(b"M 100644 inline annotations/%04d.json\n" % a)
        out.append(b"data %d\n%s\n" % (len(body), body))
    return b"".join(out)

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]

def head(repo):
    return subprocess.run(["git", "-C", repo, "rev-parse", "main"], capture_output=True, text=True, env=env).stdout.strip()

figures = []
def record(scenario, n, unit, values):
    figures.append({"scenario": scenario, "n": n, "unit": unit, "median": statistics.median(values), "runs": values})
    print(f"  git {scenario} n={n}: {statistics.median(values):.3f} {unit}", file=sys.stderr)

root = tempfile.mkdtemp(prefix="gloss-git-bench-")
try:
    for n in sizes:
        origin = os.path.join(root, f"origin-{n}.git")
        run(["git", "init", "-q", "--bare", "-b", "main", origin])
        run(["git", "fast-import", "--quiet"], cwd=origin, stdin=initial_tree())
        stream = fast_import(0, n, head(origin), 1, 1700000001)
        seconds, _ = run(["git", "fast-import", "--quiet"], cwd=origin, stdin=stream)
        record("local-edits", n, "edits/s", [n / seconds])
        # Scenario 9's replica: the same first half of the edits (the same commits).
        behind = os.path.join(root, f"behind-{n}.git")
        run(["git", "init", "-q", "--bare", "-b", "main", behind])
        run(["git", "fast-import", "--quiet"], cwd=behind, stdin=initial_tree())
        run(["git", "fast-import", "--quiet"], cwd=behind, stdin=fast_import(0, n // 2, head(behind), 1, 1700000001))
        record("bytes-per-change", n, "bytes", [sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(origin) for f in fs) / (n + 1)])

        port = free_port()
        daemon = subprocess.Popen(["git", "daemon", "--reuseaddr", "--export-all", "--enable=receive-pack", f"--base-path={root}",
                                   "--listen=127.0.0.1", f"--port={port}", root], env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(0.5)
        url = f"git://127.0.0.1:{port}/origin-{n}.git"
        try:
            clones, memory = [], []
            for r in range(runs):
                target = os.path.join(root, f"clone-{n}-{r}")
                seconds, peak = run(["git", "clone", "-q", url, target], measuring_memory=True)
                clones.append(seconds)
                memory.append(peak / 1048576)
            record("full-sync", n, "s", clones)
            record("full-sync-peak-memory", n, "MB", memory)

            catch_up = []
            for r in range(runs):
                target = os.path.join(root, f"behind-{n}-{r}")
                run(["git", "clone", "-q", behind, target])
                catch_up.append(run(["git", "pull", "-q", "--ff-only", url, "main"], cwd=target)[0])
                shutil.rmtree(target)
            record("catch-up-sync", n, "s", catch_up)

            work = os.path.join(root, f"clone-{n}-0")
            edits = []
            for r in range(quick_runs):
                path = os.path.join(work, "annotations", "%04d.json" % r)
                with open(path, "a") as f:
                    f.write(f'{{"note": "from the CLI, run {r}"}}\n')
                edits.append(run(["git", "commit", "-q", "-am", f"cli edit {r}"], cwd=work)[0] * 1000)
            record("cli-edit", n, "ms", edits)

            reader = os.path.join(root, f"clone-{n}-reader")
            run(["git", "clone", "-q", url, reader])
            deltas = []
            for r in range(quick_runs):
                stream = fast_import(n + 100 * r, 100, head(origin), 1000000 * (r + 1), 1800000000)
                run(["git", "fast-import", "--quiet"], cwd=origin, stdin=stream)
                deltas.append(run(["git", "pull", "-q", "--ff-only"], cwd=reader)[0] * 1000)
            record("delta-sync-100", n, "ms", deltas)
            record("noop-sync-cli", n, "ms", [run(["git", "pull", "-q", "--ff-only"], cwd=reader)[0] * 1000 for _ in range(quick_runs)])
        finally:
            daemon.terminate()
            daemon.wait()

    # Merge: two clones each commit 1,000 conflicting edits, then sync both
    # ways; git stops at every conflict and keeps both sides in markers.
    merges = []
    for r in range(runs):
        base = os.path.join(root, f"merge-{r}")
        run(["git", "init", "-q", "-b", "main", base])
        run(["git", "fast-import", "--quiet"], cwd=base, stdin=initial_tree())
        run(["git", "checkout", "-q", "main"], cwd=base)
        other = base + "-b"
        run(["git", "clone", "-q", base, other])
        for repo, status in ((base, "checked"), (other, "disputed")):
            for a in range(annotations):
                with open(os.path.join(repo, "annotations", "%04d.json" % a), "w") as f:
                    f.write('{"status": "%s"}\n' % status)
                run(["git", "commit", "-q", "-am", f"status {a}"], cwd=repo)
        start = time.monotonic()
        run(["git", "pull", "-q", "--no-rebase", base, "main"], cwd=other, check=False)
        run(["git", "add", "-A"], cwd=other)
        run(["git", "commit", "-q", "-m", "keep every conflict"], cwd=other)
        run(["git", "pull", "-q", "--ff-only", other, "main"], cwd=base)
        merges.append(time.monotonic() - start)
        kept = sum(1 for a in range(annotations) if "<<<<<<<" in open(os.path.join(base, "annotations", "%04d.json" % a)).read())
        assert kept == annotations, f"git kept {kept} conflicts"
    record("merge-1000x2", 2 * annotations, "s", merges)
finally:
    shutil.rmtree(root, ignore_errors=True)

with open("Benchmarks/results/git.json", "w") as f:
    json.dump({"date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "runs": runs, "figures": figures}, f, indent=2, sort_keys=True)

gloss = {(f["scenario"], f["n"]): f for f in json.load(open("Benchmarks/results/gloss.json"))["figures"]}
labels = [("cli-edit", "1 one CLI edit, whole process", "lower"), ("local-edits", "2 edits written locally", "higher"),
          ("full-sync", "3 full sync", "lower"), ("delta-sync-100", "4 delta sync, 100 changes", "lower"),
          ("noop-sync-cli", "5 no-op sync from the CLI", "lower"), ("bytes-per-change", "6 bytes on disk per change", "lower"),
          ("merge-1000x2", "7 merge, 1,000 conflicts each way", "lower"), ("full-sync-peak-memory", "8 peak memory, full sync", "lower"),
          ("catch-up-sync", "9 catch-up sync, n/2 changes", "lower")]
print(f"{'scenario':36}{'n':>9}{'gloss':>12}{'git':>12}{'gloss/git':>11}  unit")
for key, label, better in labels:
    for g in [f for f in figures if f["scenario"] == key]:
        mine = gloss.get((key, g["n"]))
        if not mine:
            continue
        ratio = mine["median"] / g["median"] if g["median"] else float("nan")
        print(f"{label:36}{g['n']:>9}{mine['median']:>12.3f}{g['median']:>12.3f}{ratio:>11.2f}  {g['unit']} ({better} is better)")
PYTHON
