/// The statement the project started from (`seeds/icj-cambodia-kem-sokha-2019-11-14.txt`),
/// embedded so `gloss demo` runs anywhere. A test keeps it identical to the file.
enum SeedStatement {
    static let fileName = "icj-cambodia-kem-sokha-2019-11-14.txt"
    static let title = "Cambodia: Charges against Kem Sokha must be dropped and respect for fundamental freedoms restored"
    static let source = "https://www.icj.org/cambodia-charges-against-kem-sokha-must-be-dropped-and-respect-for-fundamental-freedoms-restored/"
    static let published = "2019-11-14"

    static let text = #"""
Cambodia: Charges against Kem Sokha must be dropped and respect for fundamental freedoms restored

On 14 November 2019, the ICJ called on the Government of Cambodia to drop apparently politically-motivated charges of treason against Kem Sokha, leader of the now-defunct Cambodia National Rescue Party (CNRP).

The ICJ also called on the government to remove restrictions on the exercise of fundamental freedoms of all individuals in Cambodia.

On 10 November, Kem Sokha was released from court-imposed conditions amounting to house arrest, following his arrest in 2017 on spurious charges of treason under article 443 of the Criminal Code. This came after Phnom Penh Municipal Court partially lifted the judicial supervision conditions to which Sokha had been subject.  He remains banned from participating in political activities and from leaving Cambodia, and must respond to summons from any authority.  Charges of alleged “conspiracy with a foreign power” remain active against Sokha, pursuant to which he risks being imprisoned for between 15 and 30 years.

“Although the release of Kem Sokha from house arrest is a welcome development, it is not nearly enough to show that the government is committed to ending its persecution of civil society and political rivals,” said Frederick Rawski, ICJ’s Asia Pacific Director.

The release comes just after the European Commission released a preliminary report outlining the findings of an investigation triggered in February 2019 on possible removal of tariff preferences granted to Cambodia under the ‘Everything But Arms’ (EBA) trade agreement, on the basis that the Cambodian government had failed to comply with its international obligations to respect, protect and fulfil human rights and the rule of law. A fact-finding mission completed by the Commission last year found ongoing serious, systematic violations of human rights in Cambodia, particularly of the rights of free expression, association, assembly and political participation. In February 2020, the European Commission will finalize its decision.

“The fact that the charges remain in place, and Kem Sokha’s rights to freedoms of association, expression and the right to political participation continue to be suppressed is further evidence of an overall dire human rights and rule of law environment in Cambodia,” said Rawski.

Cambodia has seen a sharp deterioration in human rights and the rule of law since before the 2018 general elections, which has seen abuse of legal and judicial processes to harass and silence members of the political opposition, civil society, and independent media.

Members of the political opposition have been targeted in recent months. In 2019 alone, Cambodian authorities have charged more than 100 members of the political opposition with offences for political reasons, and detained more than half of them. The Cambodian government has also attempted to ban the return of opposition members in exile by urging neighbouring governments to stop their movement into Cambodia, and through increased monitoring of border crossings. In October 2019, the ICJ and other organizations also called for the dropping of spurious charges against former Radio Free Asia (RFA) journalists Yeang Sothearin and Uon Chhin, who are being tried for multiple offences in connection with carrying out their journalist functions.


The charges against Kem Sokha appear politically-motivated. His arrest in 2017 came just months before the CNRP – the main opposition party which he led – was dissolved, and more than 100 of its members banned from political activity following a Supreme Court judgment in November 2017.  Soon after, the ruling Cambodian People’s Party won the July 2018 general elections by a landslide. The ICJ has highlighted that the “single largest problem facing the Cambodian justice system is the lack of independent and impartial judges and prosecutors”, including “an endemic system of political interference in high-profile cases and an equally entrenched system of corruption in all others”.


Frederick Rawski, ICJ Asia and Pacific Regional Director, e: frederick.rawski(a)

See also

ICJ, ‘Cambodia: charges against journalists Yeang Sothearin and Uon Chhin must be dropped’, 4 October 2019

ICJ, ‘Misuse of law will do long-term damage to Cambodia’, 26 July 2018

ICJ, ‘Cambodia: weaponization of the law (UN Statement)’, 22 March 2018

ICJ, ‘Cambodia: the ICJ condemns dissolution of main opposition party’, 16 November 2017
"""#
}
