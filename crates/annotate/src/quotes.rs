//! Direct quotations and their speakers.
//!
//! Quotes are found in every style German news uses: `„…“`, `„…”`, `„…"`, `"…"`, `»…«`,
//! `«…»` and `“…”`, with quotes nested inside them (`„… „Small Business“ …“`). A quote never
//! crosses a paragraph break.
//!
//! Which quote marks are quotations:
//! - four words or more (`quote_min_words`), unless the quote looks like a title or a name
//!   (`der „Bund für Umwelt und Naturschutz“`, `„People's Alliance for Democracy“`) and
//!   nothing attributes it;
//! - shorter ones when a speech verb or a colon attributes them to a speaker
//!   (`„Großartig“, sagte Trump`), when they start lowercase inside a sentence that
//!   reports someone's words (`Merkel nannte den Plan „völlig unrealistisch“`; a verb of
//!   saying or naming, a subjunctive or a person, not an organisation alone), when a verb of
//!   naming or judging gives them after `als` or an indefinite article (`bezeichnete die
//!   Pläne als „Wortbruch“`, `sprach von einer „Gefahr für Leib und Leben“`; not a
//!   definition: `nennt man einen „Aktiensplit“`), or when a noun of saying introduces them
//!   (`Parolen wie „Thaksin raus!“`); scare quotes in a sentence that reports nothing (`eine
//!   Politik der „strategischen Geduld“ war das`) and `so genannte` terms are left out;
//! - capitalised phrases of three words or more after an article or a preposition in a
//!   sentence of reported speech (a subjunctive: `sei man von einer „Entschuldung weit
//!   entfernt“`), however short, unless they look like a name (`dem „Rat für nationale
//!   Sicherheit“`);
//! - never terms, names and translations: after a marker (`das Motto „…“`, `die Firma
//!   „…“`, `laut „tagesschau.de“`, `(kurz: „Fed“)`) or in parentheses of their own
//!   (`(„gegossenes Blei“)`); titles also when punctuated (`des „Wikimedia Deutschland –
//!   Gesellschaft zur Förderung Freien Wissens e.V.“`), listed (`„A“, „B“ oder „C“`) or
//!   followed by their author (`„Der Fänger im Roggen“ von J.D. Salinger`); nor a work a
//!   colon introduces after its kind (`stellte die neue CD vor: „Have a nice day“`), nor
//!   words of two or more that recur in quote marks unattributed, as names do.
//!
//! The speaker is found in this order:
//! 1. after the quote: a speech verb or `so`/`laut` and its subject (`…“, sagte Kim`,
//!    `…“, so China-Experte Christian Wirth`, `…“, sagte der Vorsitzende des Verbandes,
//!    Elmar Gesse`, `…“, wird Panetta zitiert`, `…“, hatte Merkel gesagt`);
//!    An apposition may name the speaker after a role (`sagte der Oberkommandierende der
//!    Streitkräfte, General George Casey`), and a publication in quote marks speaks too
//!    (`schreibt die „Computerwoche“`); so does the subject after any other verb that
//!    follows the quote and its comma (`„…“, strich Romney in Arbutus heraus`);
//! 2. before the quote in its sentence: the first person that is not governed by a
//!    preposition or a genitive (`Über Steve Fossett sagte Branson: „…“` → Branson), else,
//!    when a colon or speech verb introduces the quote, an organisation, a pronoun or a role;
//!    but first, in a sentence without a verb of saying, the source it gives (`Laut
//!    Berliner Polizei ist die Demonstration „weitgehend störungsfrei“ verlaufen`, `der
//!    Polizei zufolge`, `nach Angaben einer Gewerkschaft`); and before that, the person
//!    who opens the quote's clause after a comma before a verb of saying or naming (`…,
//!    Bundestrainer Joachim Löw bezeichnete … als „übertrieben“`);
//! 3. later in the sentence: a speech verb and its subject after more words (`Von einer
//!    „gezielten Indiskredition“ sprach Christian Ströbele`, `„…“ beenden, so Rice`, `„…“
//!    sei, hatte Koch-Mehrin gesagt`);
//! 4. a quote that is a sentence of its own continues the quote or the person of the
//!    sentence just before it (`„…“, so Schnappauf. „…“`), or of the one before that when
//!    the sentence between names no one, or of the last quote over any sentences of
//!    reported speech that name no one; so does a quote in reported speech (`Jeder
//!    Pädagoge könne „…“`), but a person who is the subject of a sentence after the last
//!    quote is named more recently and comes first; not a quote whose sentence opens with a
//!    description that says it (`Ein Sprecher von Tesla teilte mit: „…“, hierzu wolle man
//!    …`).
//!
//! A spokesperson of an organisation named in the genitive or in a compound speaks for it
//! (`ein Sprecher des Finanzministeriums` → `Finanzministerium`, `ein WWF-Sprecher` →
//! `WWF`), unless a name follows (`VW-Chef Martin Winterkorn`).
//!
//! Each quote also gives the words that name its speaker (`speaker_mention`): the name, the
//! pronoun or the role the rules above resolved; or, where no entity resolves the speaker,
//! a description that may speak (a role, an institution, a publication, an age: `meint die
//! 56-jährige Angestellte`, `Ein Polizeisprecher gab an`, `laut einem Jury-Mitglied`, `nach
//! Angaben einer Gewerkschaft`); a definite role there resolves to the person introduced
//! with it (`der Machthaber` after `Machthaber Kim Jong Un`).
//!
//! Pronouns (`er`, `sie`) refer to the last person mentioned. A role description (`der
//! Bundespräsident`, `erklärte der nordkoreanische Führer`) refers to the last person
//! introduced with that role (`Bundespräsident Horst Köhler`, `Horst Köhler, der
//! Bundespräsident`), else to the last person mentioned. An institution that speaks as a
//! body (`teilte die Polizei mit`, `begründet das Gericht`) is named by its noun
//! (`Polizei`, `Gericht`) when no organisation entity names it.

use crate::entities::{self, Entity, Label};
use crate::tokenize::{Kind, Token};

/// Verb forms (and `so`, `laut`) that attribute a quotation to its speaker, lowercase; a
/// capitalised first letter matches too.
const SPEECH_VERBS: &[&str] = &[
    "sagte",
    "sagt",
    "sagten",
    "sagen",
    "erklärte",
    "erklärt",
    "erklärten",
    "erklären",
    "betonte",
    "betont",
    "betonten",
    "so",
    "laut",
    "meinte",
    "meint",
    "meinten",
    "meinen",
    "schrieb",
    "schreibt",
    "schrieben",
    "twitterte",
    "twittert",
    "teilte",
    "teilt",
    "sprach",
    "fragte",
    "fragt",
    "fragen",
    "spricht",
    "antwortete",
    "antwortet",
    "warnte",
    "warnt",
    "warnten",
    "kritisierte",
    "kritisiert",
    "kritisierten",
    "forderte",
    "fordert",
    "forderten",
    "bekräftigte",
    "bekräftigt",
    "behauptete",
    "behauptet",
    "versprach",
    "verspricht",
    "räumte",
    "räumt",
    "berichtete",
    "berichtet",
    "berichteten",
    "erläuterte",
    "erläutert",
    "ergänzte",
    "ergänzt",
    "unterstrich",
    "mahnte",
    "mahnt",
    "verkündete",
    "verkündet",
    "rief",
    "ruft",
    "riefen",
    "fügte",
    "fügt",
    "zitierte",
    "zitiert",
    "hieß",
    "heißt",
    "kommentierte",
    "kommentiert",
    "bestätigte",
    "bestätigt",
    "beteuerte",
    "versicherte",
    "stellte",
    "stellt",
    "gab",
    "gibt",
    "äußerte",
    "äußert",
    "erwiderte",
    "entgegnete",
    "lobte",
    "lobt",
    "klagte",
    "beklagte",
    "drohte",
    "jubelte",
    "schimpfte",
    "begründete",
    "begründet",
    "erinnerte",
    "erinnert",
    "führte",
    "führt",
    "urteilte",
    "urteilt",
    "resümierte",
    "bilanzierte",
    "gestand",
    "kündigte",
    "appellierte",
    "bemerkte",
    "konstatierte",
    "folgerte",
    "wetterte",
    "spottete",
    "scherzte",
    "argumentierte",
    "argumentiert",
    "verriet",
    "prophezeite",
    "erzählte",
    "erzählt",
    "schrie",
    "hoffte",
    "hofft",
    "bedauerte",
    "bedauert",
    "präzisierte",
    "vermutete",
    "widersprach",
    "widerspricht",
    "verteidigte",
    "verteidigt",
    "analysierte",
    "schätzte",
    "schätzt",
    "sagte",
    "postete",
    "zeigte",
    "zeigt",
    "glaubt",
    "glaubte",
    "findet",
    "fand",
    "warf",
    "wirft",
    "lautete",
    "lautet",
    "verlangte",
    "verlangt",
    "unterstrich",
    "beschrieb",
    "beschreibt",
    "ergänzten",
    "meldete",
    "meldet",
    "skandierte",
    "skandierten",
    "skandiert",
    "skandieren",
];

/// Auxiliaries that may open the attribution after a quote when a participle of saying
/// follows in the clause (`…“, hatte Merkel gesagt`, `…“, wird Panetta zitiert`).
const AUXILIARIES: &[&str] = &[
    "hat", "hatte", "hatten", "haben", "habe", "hätte", "wird", "wurde", "werden", "wurden",
];

/// Modal verbs that may open the sentence after a quote with `Das` when an infinitive of
/// saying ends it (`„…“. Das musste Steinbrück einräumen.`).
const MODALS: &[&str] = &[
    "musste", "muss", "mussten", "wollte", "will", "wollten", "konnte", "kann", "konnten",
    "durfte", "darf", "sollte", "soll",
];

/// Infinitives of saying that end such a sentence (see [`MODALS`]).
const SAYING_INFINITIVES: &[&str] = &[
    "sagen",
    "einräumen",
    "zugeben",
    "eingestehen",
    "zugestehen",
    "erklären",
    "betonen",
    "bekennen",
    "versprechen",
    "ankündigen",
    "klarstellen",
    "feststellen",
    "mitteilen",
    "wissen",
];

/// Participles of saying that complete an auxiliary (see [`AUXILIARIES`]).
const PARTICIPLES: &[&str] = &[
    "gesagt",
    "erklärt",
    "betont",
    "geschrieben",
    "gefordert",
    "zitiert",
    "gewarnt",
    "kritisiert",
    "berichtet",
    "getwittert",
    "mitgeteilt",
    "erläutert",
    "ergänzt",
    "geäußert",
    "versprochen",
    "angekündigt",
    "bekräftigt",
    "behauptet",
    "gefragt",
    "geantwortet",
    "bestätigt",
    "kommentiert",
    "verkündet",
];

/// Verbs of naming and judging that make a sentence report someone's words.
const REPORT_CUES: &[&str] = &[
    "nannte",
    "nennt",
    "nannten",
    "bezeichnete",
    "bezeichnet",
    "bezeichneten",
    "sprach",
    "spricht",
    "sprachen",
    "wertete",
    "wertet",
    "beurteilte",
    "sieht",
    "sah",
    "zufolge",
    "laut",
    "Aussage",
    "Worten",
];

/// Subjunctive forms of indirect speech (`Der Rücktritt sei ein „natürlicher Vorgang“`).
const SUBJUNCTIVES: &[&str] = &[
    "sei", "seien", "habe", "hätten", "hätte", "werde", "würde", "würden", "könne", "müsse",
    "solle", "wolle", "gebe", "stehe", "bestehe", "liege", "gehe", "lasse", "mache", "komme",
    "drohe", "fehle", "bleibe", "dürfe", "möge", "wisse", "brauche", "halte", "sehe",
];

/// Prepositions that keep a name from being the subject (`Über Steve Fossett sagte …`).
const PREPOSITIONS: &[&str] = &[
    "über",
    "von",
    "vom",
    "mit",
    "für",
    "gegen",
    "zu",
    "zum",
    "zur",
    "an",
    "am",
    "auf",
    "bei",
    "beim",
    "nach",
    "aus",
    "gegenüber",
    "um",
    "ohne",
    "durch",
    "unter",
    "vor",
    "hinter",
    "neben",
    "zwischen",
    "seit",
    "wegen",
    "trotz",
    "in",
    "im",
    "ins",
    "dank",
];

/// Words before a quote that mark it as a term, not as someone's words.
const TERM_MARKERS: &[&str] = &[
    "sogenannte",
    "sogenannten",
    "sogenannter",
    "sogenanntes",
    "genannte",
    "genannten",
    "genannter",
    "genanntes",
    "Begriff",
    "Wort",
    "Stichwort",
    "Titel",
    "Namen",
    "Name",
    "namens",
    "Motto",
    "Slogan",
    "Codename",
    "Codenamen",
    "Prädikat",
    "Grundsatz",
    "Kategorie",
    "Typ",
    "Typs",
    "Marke",
    "Firma",
    "Magazin",
    "Magazins",
    "Zeitung",
    "Album",
    "Film",
    "Buch",
    "Roman",
    "selbst",
    "kurz",
    "etwa",
    "deutsch",
    "übersetzt",
    "laut",
];

/// Nouns before a colon that announce a work or a name rather than words (see
/// [`Cx::work_after_colon`]), besides the endings in [`WORKS`].
const WORK_NAMES: &[&str] = &[
    "Name",
    "Namen",
    "Titel",
    "CD",
    "Single",
    "Song",
    "Lied",
    "Werk",
    "Erstwerk",
    "Überschrift",
];

/// The endings of nouns, lowercase, that name works, not publications, which speak (`sagte
/// er der Zeitung: „…“`).
const WORKS: &[&str] = &[
    "sendung",
    "serie",
    "musical",
    "album",
    "albums",
    "film",
    "films",
    "buch",
    "buches",
    "roman",
    "romans",
    "ausstellung",
    "festival",
    "verfilmung",
    "komödie",
    "thriller",
];

/// Roles of speakers besides the recogniser's ([`entities::is_role`]), whose list is also a
/// feature of the trained tagger and stays as the tagger was trained with it: lowercase
/// endings, looked up as there.
const MORE_SPEAKER_ROLES: &[&str] = &[
    "hauptmann",
    "coach",
    "torhüter",
    "verteidiger",
    "politologe",
    "politologin",
    "diplomat",
    "diplomatin",
];

/// Whether `t` names a role a speaker may be introduced with (`Landeshauptmann`,
/// `Graz-Coach`): a role of the recogniser or one of [`MORE_SPEAKER_ROLES`], inflected.
fn is_role(t: &str) -> bool {
    entities::is_role(t)
        || entities::role_forms(t).any(|p| {
            MORE_SPEAKER_ROLES
                .iter()
                .any(|r| entities::ends_with_fold_first(p, r))
        })
}

/// Tokens after a role description within which a news lead names the person
/// ([`Cx::introduced_later_with_role`]): about two sentences.
const LEAD_REACH: usize = 60;

/// Endings of nouns, lowercase, of the kinds of publications that precede their name in
/// quote marks (`Wochenzeitschrift`); with [`WORKS`] the kinds of works and publications
/// (see [`is_work_noun`]).
const PUBLICATIONS: &[&str] = &[
    "zeitschrift",
    "zeitung",
    "magazin",
    "magazins",
    "magazines",
    "website",
    "webseite",
    "portal",
    "blog",
    "kampagne",
];

/// Whether the lowercase word ends like a kind of work or publication that precedes its
/// name in quote marks (`Wochenzeitschrift`, `Fernsehsendung`, `Kinderbuch`).
fn is_work_noun(lower: &str) -> bool {
    PUBLICATIONS.iter().chain(WORKS).any(|s| lower.ends_with(s))
}

/// Words before a colon that introduce a name or a translation (`(kurz: „Fed“)`).
const TRANSLATION_MARKERS: &[&str] = &[
    "kurz",
    "etwa",
    "deutsch",
    "übersetzt",
    "Codename",
    "Codenamen",
    "Motto",
    "Titel",
    "namens",
];

/// Nouns of saying that introduce someone's words in quote marks (`mit den Worten „…“`).
const SPEECH_NOUNS: &[&str] = &[
    "Worten",
    "Parole",
    "Parolen",
    "Aufschrift",
    "Feststellung",
    "Satz",
    "Zitat",
    "Aussage",
    "Appell",
    "Ruf",
    "Rufen",
    "Frage",
    "Antwort",
    "Forderung",
    "Warnung",
    "Sprüche",
    "Sprüchen",
    "Hassparolen",
    "Sprechchöre",
    "Sprechchören",
];

/// Words right before a quote by which someone names something (`als „Wortbruch“`).
/// Nouns for what someone called something or said, besides [`SPEECH_NOUNS`], that a
/// genitive owner speaks (`Trumps Bezeichnung … als „Atommacht“`).
const NAMING_NOUNS: &[&str] = &[
    "Bezeichnung",
    "Äußerung",
    "Äußerungen",
    "Worte",
    "Aussagen",
    "Vorwurf",
    "Versprechen",
];

const NAMING_OPENERS: &[&str] = &["als", "ein", "eine", "einen", "einer", "einem", "eines"];

/// Verbs of naming and judging (`nannte`, `bezeichnete … als`, `sprach von`).
const NAMING_VERBS: &[&str] = &[
    "nannte",
    "nennt",
    "nannten",
    "nennen",
    "bezeichnete",
    "bezeichnet",
    "bezeichneten",
    "bezeichnen",
    "sprach",
    "spricht",
    "sprachen",
    "wertete",
    "wertet",
    "werteten",
    "beurteilte",
    "sieht",
    "sah",
    "sahen",
    "kritisierte",
    "warf",
    "warfen",
    "wirft",
    "wies",
    "wiesen",
    "weist",
    "zurückgewiesen",
    "eingestuft",
    "stufte",
    "stuft",
    "beschrieben",
    "beschrieb",
    "beschreibt",
    "charakterisierte",
    "charakterisiert",
    "verurteilte",
    "verurteilt",
    "feierte",
    "feiert",
    "lobte",
    "lobt",
    "bewertete",
    "bewertet",
    "betrachtet",
    "betrachtete",
    "empfand",
    "empfindet",
];

/// Participles of verbs of naming, whose passive names its agent with `von`: `vom
/// Wetterdienst als „sehr hoch“ eingestuft`.
const NAMING_PARTICIPLES: &[&str] = &[
    "eingestuft",
    "bezeichnet",
    "beschrieben",
    "bewertet",
    "gewertet",
    "charakterisiert",
    "kritisiert",
    "genannt",
    "betrachtet",
    "gesehen",
    "verurteilt",
    "gelobt",
    "gefeiert",
    "zurückgewiesen",
];

/// Words that open a sentence without being its subject, lowercase: adverbs,
/// conjunctions, pronouns and demonstratives.
const SENTENCE_OPENERS: &[&str] = &[
    "so",
    "auch",
    "dazu",
    "dann",
    "heute",
    "gestern",
    "morgen",
    "später",
    "bereits",
    "weiter",
    "zudem",
    "außerdem",
    "darauf",
    "darin",
    "dabei",
    "daraufhin",
    "deshalb",
    "daher",
    "nun",
    "jetzt",
    "hier",
    "dort",
    "insbesondere",
    "allerdings",
    "doch",
    "aber",
    "und",
    "oder",
    "als",
    "wie",
    "zuvor",
    "zuletzt",
    "ebenso",
    "ferner",
    "schließlich",
    "unterdessen",
    "inzwischen",
    "indes",
    "indessen",
    "jedoch",
    "trotzdem",
    "dennoch",
    "sogar",
    "selbst",
    "noch",
    "schon",
    "erst",
    "immer",
    "wörtlich",
    "dies",
    "diese",
    "dieser",
    "dieses",
    "was",
    "wer",
    "man",
    "es",
    "ich",
    "wir",
    "ihr",
    "sein",
    "seine",
    "ihre",
    "denn",
    "da",
    "wenn",
    "weil",
    "obwohl",
    "während",
    "nachdem",
    "bevor",
    "zitat",
    "zunächst",
    "kurz",
    "danach",
    "damit",
    "dafür",
    "dagegen",
    "hierzu",
    "ähnlich",
    "anders",
    "genau",
    "gleich",
    "vorher",
];

/// Nouns of a source after `nach` (`nach Angaben der Polizei`, `nach Meinung des
/// SPD-Politikers`) or a possessive (`Seiner Ansicht nach`), lowercase.
const SOURCE_NOUNS: &[&str] = &[
    "angaben",
    "aussagen",
    "auskunft",
    "informationen",
    "meinung",
    "ansicht",
    "auffassung",
    "einschätzung",
    "darstellung",
    "darstellungen",
    "bewertung",
];

/// Determiners, and prepositions fused with an article, that open a noun phrase.
const DETERMINERS: &[&str] = &[
    "der", "die", "das", "den", "dem", "des", "ein", "eine", "einer", "eines", "einem", "einen",
    "im", "vom", "zum", "zur", "beim", "am", "ins",
];

/// Function words of English and Romance titles and names (`Alliance for Democracy`).
const FOREIGN_FUNCTION_WORDS: &[&str] = &[
    "of", "the", "for", "and", "de", "la", "le", "du", "dello", "della", "del", "los", "las", "el",
    "y", "et", "di", "to", "at", "on", "pour",
];

/// Nouns of institutions that speak as a body (`teilte die Polizei mit`); a compound
/// ending in one of them (`Bundesregierung`, `Außenministerium`) counts too.
const INSTITUTIONS: &[&str] = &[
    "polizei",
    "gericht",
    "regierung",
    "staatsanwaltschaft",
    "ministerium",
    "behörde",
    "firma",
    "unternehmen",
    "konzern",
    "verband",
    "universität",
    "senat",
    "komitee",
    "kommission",
    "partei",
    "agentur",
    "zeitung",
    "sender",
    "fernsehen",
    "verlag",
    "armee",
    "militär",
    "bundeswehr",
    "gewerkschaft",
    "organisation",
    "feuerwehr",
    "verwaltung",
    "klinik",
    "fraktion",
    "vorstand",
    "veranstalter",
    "bündnis",
    "koalition",
    "rat",
    "staatsanwalt",
    "gerichtshof",
    "stiftung",
    "institut",
    "bahn",
    "botschaft",
];

/// Endings of nouns, lowercase, that name a speaker in a description without being roles
/// or institutions (`Die Frankfurter Rundschau`, `Das Auswärtige Amt`, `Die Autoren`).
const SPEAKER_NOUNS: &[&str] = &[
    "amt",
    "rundschau",
    "blatt",
    "magazin",
    "autor",
    "autoren",
    "autorin",
    "zeuge",
    "zeugen",
    "zeugin",
    "experte",
    "experten",
    "expertin",
    "anwalt",
    "anwältin",
    "medien",
    "bericht",
    "erklärung",
    "mitteilung",
    "stellungnahme",
    "kommentar",
    "beamte",
    "beamten",
    "beamter",
    "beamtin",
];

/// Opening marks and what closes them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Style {
    /// `„` closed by `“`, `”` or `"`.
    Low,
    /// `"` closed by `"` (or a curly closing mark).
    Straight,
    /// `»` closed by `«`.
    Guillemets,
    /// `«` closed by `»`.
    SwissGuillemets,
    /// `“` closed by `”`.
    English,
}

impl Style {
    fn closes(self, c: char) -> bool {
        match self {
            Style::Low => matches!(c, '“' | '”' | '"'),
            Style::Straight => matches!(c, '"' | '”' | '“'),
            Style::Guillemets => c == '«',
            Style::SwissGuillemets => c == '»',
            Style::English => c == '”',
        }
    }

    /// The mark that opens a quote nested in this style (one that differs from the closer).
    fn nests(self, c: char) -> bool {
        match self {
            Style::Low => c == '„',
            Style::Guillemets => c == '»',
            Style::SwissGuillemets => c == '«',
            Style::Straight | Style::English => false,
        }
    }
}

/// One quotation as a byte span (marks included) with its speaker's canonical name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quote {
    /// Byte offset of the opening mark.
    pub start: usize,
    /// Byte offset after the closing mark.
    pub end: usize,
    /// Canonical name of the attributed person, if any.
    pub speaker: Option<String>,
    /// Byte span of the words that name the speaker where the attribution was found (`Kim`,
    /// `er`, `der nordkoreanische Führer`, `ein Polizeisprecher`), also when no entity
    /// resolves them.
    pub speaker_mention: Option<(usize, usize)>,
}

/// A speaker an attribution rule found: the canonical name, and the tokens
/// `mention.0..mention.1` that name the speaker there (a name, a pronoun, a role).
#[derive(Debug, Clone)]
struct Who {
    name: String,
    mention: (usize, usize),
}

impl Who {
    /// The entity speaks, named where it is mentioned.
    fn entity(e: &Entity) -> Who {
        Who {
            name: e.canonical.clone(),
            mention: (e.first, e.end),
        }
    }

    /// `name` speaks, named by the tokens `first..end`.
    fn named(name: &str, first: usize, end: usize) -> Who {
        Who {
            name: name.to_owned(),
            mention: (first, end),
        }
    }
}

/// Byte spans of the outermost quotations in `text`, marks included.
pub fn spans(text: &str) -> Vec<(usize, usize)> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    // Opening offset, style and how many nested quotes are open inside.
    let mut open: Option<(usize, Style, u32)> = None;
    let mut i = 0;
    while i < b.len() {
        // Only line breaks and quote marks change the state. The marks are `"` or start
        // with the lead byte 0xC2 (`»`, `«`) or 0xE2 (`„`, `“`, `”`), which never occurs
        // inside another character, so all other bytes are passed over undecoded.
        if !matches!(b[i], b'\n' | b'"' | 0xC2 | 0xE2) {
            i += 1;
            continue;
        }
        let Some(c) = text[i..].chars().next() else {
            break;
        };
        let after = i + c.len_utf8();
        let next = text[after..].chars().next();
        let next_is_text = next.is_some_and(|n| !n.is_whitespace());
        match open {
            Some((start, style, depth)) => {
                if c == '\n' && next == Some('\n') {
                    open = None; // Unclosed at a paragraph break.
                } else if style.nests(c) && next_is_text {
                    open = Some((start, style, depth + 1));
                } else if style.closes(c) {
                    if depth == 0 {
                        out.push((start, after));
                        open = None;
                    } else {
                        open = Some((start, style, depth - 1));
                    }
                }
            }
            None => {
                let prev_is_gap = || is_gap(text[..i].chars().next_back());
                let style = match c {
                    '„' if next_is_text => Some(Style::Low),
                    '»' if next_is_text => Some(Style::Guillemets),
                    '«' if next_is_text && prev_is_gap() => Some(Style::SwissGuillemets),
                    '"' if next_is_text && prev_is_gap() => Some(Style::Straight),
                    '“' if next_is_text && prev_is_gap() => Some(Style::English),
                    _ => None,
                };
                if let Some(style) = style {
                    open = Some((i, style, 0));
                }
            }
        }
        i = after;
    }
    out
}

/// Start of text, whitespace, or an opening bracket or dash before a quote mark.
fn is_gap(prev: Option<char>) -> bool {
    match prev {
        None => true,
        Some(p) => p.is_whitespace() || matches!(p, '(' | '[' | '–' | '—' | '-' | ':' | '/'),
    }
}

/// `t` equals the lowercase `word`, or does with its first letter lowercased.
#[cfg(test)]
fn eq_fold_first(t: &str, word: &str) -> bool {
    if t == word {
        return true;
    }
    let (mut a, mut b) = (t.chars(), word.chars());
    match (a.next(), b.next()) {
        (Some(x), Some(y)) => {
            x.is_uppercase() && x.to_lowercase().eq(std::iter::once(y)) && a.as_str() == b.as_str()
        }
        _ => false,
    }
}

/// Whether `t` is in `list` up to the case of its first letter: `eq_fold_first(t, w)`
/// for some `w`, with `t`'s first letter lowercased once instead of once per word.
fn in_list(t: &str, list: &[&str]) -> bool {
    let mut cs = t.chars();
    // `t` with its first letter lowercased matches `w` when that letter is uppercase and
    // lowercases to one character `l`, and `w` is `l` followed by the rest of `t`.
    let lowered = cs.next().filter(|c| c.is_uppercase()).and_then(|c| {
        let mut low = c.to_lowercase();
        match (low.next(), low.next()) {
            (Some(l), None) => Some(l),
            _ => None,
        }
    });
    let rest = cs.as_str();
    list.iter().any(|w| {
        *w == t
            || lowered.is_some_and(|l| {
                w.len() == l.len_utf8() + rest.len()
                    && w.starts_with(l)
                    && &w[l.len_utf8()..] == rest
            })
    })
}

fn is_speech_verb(t: &str) -> bool {
    in_list(t, SPEECH_VERBS)
}

/// A verb of saying or naming (`sagte`, `nannte`), not the attributing `so` or `laut`.
fn says_or_names(t: &str) -> bool {
    (is_speech_verb(t) && !in_list(t, &["so", "laut"])) || in_list(t, NAMING_VERBS)
}

fn is_capitalized(t: &str) -> bool {
    t.chars().next().is_some_and(char::is_uppercase)
}

fn is_lowercase(t: &str) -> bool {
    t.chars().next().is_some_and(char::is_lowercase)
}

fn is_clause_end(t: &str) -> bool {
    matches!(
        t,
        "." | "!" | "?" | ";" | ":" | "„" | "\"" | "»" | "«" | "“" | "”" | "…"
    ) || (t.len() > 1 && t.bytes().all(|b| matches!(b, b'.' | b'!' | b'?')))
}

fn is_pronoun(t: &str) -> bool {
    matches!(t, "er" | "sie" | "Er" | "Sie")
}

fn is_determiner(t: &str) -> bool {
    in_list(t, DETERMINERS)
}

/// A definite article: what refers back to someone already mentioned (`der Präsident`).
fn is_definite(t: &str) -> bool {
    in_list(t, &["der", "die", "das", "den", "dem", "des"])
}

/// A lowercase word that may be an inflected adjective (`italienische`, `neuen`).
fn is_adjective_like(t: &str) -> bool {
    is_lowercase(t) && ["e", "en", "er", "es", "em"].iter().any(|s| t.ends_with(s))
}

/// The institution noun `t` (`Polizei`, `Bundesregierung`), if it is one.
fn is_institution(t: &str) -> bool {
    if !is_capitalized(t) {
        return false;
    }
    let lower = t.to_lowercase();
    INSTITUTIONS
        .iter()
        .any(|i| lower == *i || (lower.len() > i.len() + 2 && i.len() >= 5 && lower.ends_with(i)))
}

/// A role noun without inflection and without the part before a hyphen, lowercase
/// (`US-Präsidenten` → `präsident`), to compare roles.
fn role_key(t: &str) -> String {
    let part = t.rsplit('-').next().unwrap_or(t).to_lowercase();
    for suffix in ["en", "s", "n"] {
        if let Some(stem) = part.strip_suffix(suffix) {
            if is_role(stem) {
                return stem.to_owned();
            }
        }
    }
    part
}

/// Roles that name one ruler (`Nordkoreas Diktator Kim Jong Un … schwärmte der
/// Machthaber`): in one text, two of them refer to the same person.
const RULER_ROLES: &[&str] = &["machthaber", "diktator", "führer", "staatschef"];

/// Whether two role keys name the same role (`bundespräsident` ~ `präsident`, `diktator` ~
/// `machthaber`).
fn same_role(a: &str, b: &str) -> bool {
    let ruler = |k: &str| RULER_ROLES.iter().any(|r| k.ends_with(r));
    a.ends_with(b) || b.ends_with(a) || (ruler(a) && ruler(b))
}

/// What the tokens and entities of one document offer the attribution rules.
struct Cx<'a> {
    text: &'a str,
    toks: &'a [Token],
    ents: &'a [Entity],
    /// Entity starting at each token.
    ent_at: Vec<Option<usize>>,
}

impl<'a> Cx<'a> {
    /// The first person, or organisation when `or_org`, that ends right before token `end`
    /// and starts at token `from` or later.
    fn entity_ending_at(&self, end: usize, from: usize, or_org: bool) -> Option<&'a Entity> {
        self.ents.iter().find(|e| {
            e.end == end
                && e.first >= from
                && (e.label == Label::Per || (or_org && e.label == Label::Org))
        })
    }

    fn t(&self, i: usize) -> &'a str {
        self.toks[i].text(self.text)
    }

    /// The entity is neither governed by a preposition (`über Trump`) nor a genitive
    /// (`Stoibers Äußerungen`), so it may be a subject.
    fn nominative(&self, e: &Entity) -> bool {
        if e.first > 0 && in_list(self.t(e.first - 1), PREPOSITIONS) {
            return false;
        }
        // `in der Unionsfraktion`, `von der kritischen Presse`, `zu Machthaber Kim`, `im
        // Nachrichtenmagazin DER SPIEGEL`.
        let mut j = e.first;
        if j > 0 && self.toks[j - 1].kind == Kind::Word && is_capitalized(self.t(j - 1)) {
            j -= 1;
            if j > 0 && in_list(self.t(j - 1), PREPOSITIONS) {
                return false;
            }
        }
        let head = j;
        // `dem`, `den`, `der` end like adjectives: the loop stops at them.
        while j > 0
            && head - j < 3
            && is_adjective_like(self.t(j - 1))
            && !is_determiner(self.t(j - 1))
        {
            j -= 1;
        }
        if j > 0 && is_determiner(self.t(j - 1)) {
            j -= 1;
            // `dem Bundesinnenminister Wolfgang Schäuble`, `den Prediger`, `zum Diktator
            // Kim`: these forms are never a subject's.
            let never_subject = [
                "dem", "den", "des", "einem", "einen", "eines", "im", "vom", "zum", "zur", "beim",
                "am", "ins",
            ];
            // But a name after a genitive that is no role is the apposition of the phrase
            // before (`so der Chef des Verwaltungsrats Ulrich Müller`).
            let apposition = self.t(j) == "des" && head < e.first && !is_role(self.t(head));
            if in_list(self.t(j), &never_subject) && !apposition {
                return false;
            }
            // `Den Unmut der CDU`: `der` after a noun is a genitive's (or a dative's).
            if self.t(j) == "der"
                && j > 0
                && self.toks[j - 1].kind == Kind::Word
                && is_capitalized(self.t(j - 1))
                && !is_determiner(self.t(j - 1))
                && !in_list(self.t(j - 1), SENTENCE_OPENERS)
            {
                return false;
            }
            if j > 0 && in_list(self.t(j - 1), PREPOSITIONS) {
                return false;
            }
        }
        let last = self.t(e.end - 1);
        let genitive = (last.ends_with('s') || last.ends_with('\''))
            && !e.canonical.ends_with(last)
            && e.canonical.len() > 1;
        !(e.label == Label::Per && genitive)
    }

    /// The roles a person is introduced with: [`Cx::role_of`], and a role coordinated
    /// before it (`OeNB-Gouverneur und EZB-Rat Ewald Nowotny`).
    fn roles_of(&self, e: &Entity) -> impl Iterator<Item = usize> {
        // (The role next to the name may be one the list lacks: `EZB-Rat`.)
        let coordinated =
            (e.first >= 3 && is_capitalized(self.t(e.first - 1)) && self.t(e.first - 2) == "und")
                .then(|| e.first - 3)
                .filter(|&k| is_capitalized(self.t(k)) && is_role(self.t(k)));
        self.role_of(e).into_iter().chain(coordinated)
    }

    /// The token of the role a person is introduced with: `Bundespräsident Horst Köhler`,
    /// `Horst Köhler, der Bundespräsident`.
    fn role_of(&self, e: &Entity) -> Option<usize> {
        if e.first > 0 {
            let t = self.t(e.first - 1);
            if is_capitalized(t) && is_role(t) {
                return Some(e.first - 1);
            }
        }
        if self
            .toks
            .get(e.end)
            .is_some_and(|t| t.text(self.text) == ",")
        {
            for k in e.end + 1..(e.end + 6).min(self.toks.len()) {
                let t = self.t(k);
                if is_clause_end(t) || t == "," {
                    break;
                }
                if is_capitalized(t) && is_role(t) {
                    return Some(k);
                }
            }
        }
        None
    }

    /// The stem of the country adjective right before the role at token `role_at`
    /// (`brasilianisch` in `der brasilianische Präsident`), if there is one.
    fn country_of_role(&self, role_at: usize) -> Option<&'a str> {
        let t = self.t(role_at.checked_sub(1)?);
        if !is_lowercase(t) {
            return None;
        }
        let at = t.find("isch")?;
        matches!(&t[at + 4..], "e" | "en" | "er" | "es" | "em").then(|| &t[..at + 4])
    }

    /// Whether token `k` heads a noun phrase that opens with a determiner at or after
    /// `start` (`der italienische Innenminister`, `Der 23-jährige Sportler`); returns the
    /// determiner's index.
    fn np_determiner(&self, k: usize, start: usize) -> Option<usize> {
        if self.toks[k].kind != Kind::Word || !is_capitalized(self.t(k)) {
            return None;
        }
        let mut j = k;
        while j > start && k - j < 4 {
            j -= 1;
            let t = self.t(j);
            if is_determiner(t) {
                return Some(j);
            }
            let modifier = (self.toks[j].kind == Kind::Word && is_lowercase(t))
                || self.toks[j].kind == Kind::Number;
            if !modifier {
                return None;
            }
        }
        None
    }

    /// First token of the noun phrase headed by token `k`: its determiner at or after
    /// `start` (see [`Cx::np_determiner`]), else `k` itself.
    fn np_start(&self, k: usize, start: usize) -> usize {
        self.np_determiner(k, start).unwrap_or(k)
    }

    /// Who speaks in the sentence `start..end` as its subject: the first person not
    /// governed by a preposition or a genitive; else an organisation or an institution
    /// (`Die Polizei`) that opens the sentence.
    fn sentence_subject(&self, start: usize, end: usize) -> Option<Who> {
        let in_sentence = |e: &&Entity| e.first >= start && e.end <= end;
        if let Some(e) = self
            .ents
            .iter()
            .filter(in_sentence)
            .find(|e| e.label == Label::Per && self.nominative(e))
        {
            return Some(Who::entity(e));
        }
        let opens = |k: usize| k == start || (k == start + 1 && is_determiner(self.t(start)));
        if let Some(e) = self
            .ents
            .iter()
            .filter(in_sentence)
            .find(|e| e.label == Label::Org && opens(e.first))
        {
            return Some(Who::entity(e));
        }
        for k in start + 1..(start + 5).min(end) {
            if self.np_determiner(k, start) == Some(start) {
                let t = self.t(k);
                return is_institution(t).then(|| Who::named(t, start, k + 1));
            }
        }
        None
    }

    /// The person `er`, `sie` or an unknown role before token `before` refers to: the
    /// last person mentioned as a possible subject (not after a preposition, not a
    /// genitive), else the last person mentioned.
    fn recent_person(&self, before: usize) -> Option<String> {
        let mut earlier = self
            .ents
            .iter()
            .rev()
            .filter(|e| e.label == Label::Per && e.end <= before);
        let last = earlier.clone().next();
        earlier
            .find(|e| self.nominative(e))
            .or(last)
            .map(|e| e.canonical.clone())
    }

    /// The person the definite description `first..end` (`der Machthaber`, `der
    /// nordkoreanische Führer`) refers to: the last one introduced with its role before it,
    /// if its head is a role. Unlike [`Cx::person_with_role`], no other person stands in.
    fn introduced_with_role(&self, first: usize, end: usize) -> Option<String> {
        if !is_definite(self.t(first)) {
            return None;
        }
        let head = (first + 1..end).find(|&j| is_capitalized(self.t(j)))?;
        if !is_role(self.t(head)) {
            return None;
        }
        self.introduced_as(head, first).ok()
    }

    /// A role or institution alone before a colon that opens the quote's sentence, as
    /// headlines name a speaker (`Landeshauptmann: „…“`, `Expertin: „…“`).
    fn role_before_colon(&self, start: usize, first: usize) -> Option<(usize, usize)> {
        let t = self.t(start);
        (first == start + 2
            && self.t(start + 1) == ":"
            && self.toks[start].kind == Kind::Word
            && is_capitalized(t)
            && (is_role(t) || is_institution(t)))
        .then_some((start, start + 1))
    }

    /// The person a role description `first..end` that no one before answers refers to
    /// when a news lead names the person only after it: the first person within
    /// [`LEAD_REACH`] tokens after it introduced with the same role (`Arsenal-Trainer …
    /// verwundert: „…“. London – Arsenal-Trainer Arsene Wenger hat …`). A description
    /// opens the sentence: a bare role (`Arsenal-Trainer`) or one with a definite article.
    fn introduced_later_with_role(&self, first: usize, end: usize) -> Option<String> {
        let start = usize::from(is_definite(self.t(first)));
        let head = (first + start..end).find(|&j| is_capitalized(self.t(j)))?;
        if head != first + start && !is_adjective_like(self.t(first + start)) {
            return None;
        }
        if !is_role(self.t(head)) || self.introduced_as(head, first).is_ok() {
            return None;
        }
        let key = role_key(self.t(head));
        self.ents
            .iter()
            .filter(|e| e.label == Label::Per && e.first >= end && e.first < end + LEAD_REACH)
            .find(|e| {
                self.roles_of(e)
                    .any(|at| same_role(&role_key(self.t(at)), &key))
            })
            .map(|e| e.canonical.clone())
    }

    /// The last person before token `before` introduced with the role at token `role_at`,
    /// and of the same country when the description names one (`der brasilianische
    /// Präsident` is not the `venezolanische Präsident` introduced last). `Err(true)` when
    /// persons had the role, but of other countries.
    fn introduced_as(&self, role_at: usize, before: usize) -> Result<String, bool> {
        let key = role_key(self.t(role_at));
        let country = self.country_of_role(role_at);
        let mut with_role = self
            .ents
            .iter()
            .rev()
            .filter(|e| e.label == Label::Per && e.end <= before)
            .flat_map(|e| self.roles_of(e).map(move |at| (e, at)))
            .filter(|&(_, at)| same_role(&role_key(self.t(at)), &key))
            .peekable();
        let any = with_role.peek().is_some();
        with_role
            .find(|&(_, at)| match (country, self.country_of_role(at)) {
                (Some(a), Some(b)) => a == b,
                _ => true,
            })
            .map(|(e, _)| e.canonical.clone())
            .ok_or(any)
    }

    /// The person a role description (`der Bundespräsident`, its role at token `role_at`)
    /// refers to: the last one introduced with that role, else the last person mentioned
    /// (but not when the persons with that role are of other countries, nor for a
    /// spokesperson).
    fn person_with_role(&self, role_at: usize, before: usize) -> Option<String> {
        match self.introduced_as(role_at, before) {
            Ok(name) => Some(name),
            Err(true) => None,
            // A spokesperson speaks for someone, and is no one named before unless
            // introduced as such (`Der Sprecher teilte mit, Tony Blair …`).
            Err(false) if role_key(self.t(role_at)).contains("sprecher") => None,
            Err(false) => self.recent_person(before),
        }
    }

    /// Whether the quote `first..after` is what a verb of naming right after it calls
    /// something (`Als „unerwartetes Geschenk“ bezeichnet die Archäologin den Fund`), so
    /// that the subject after the verb speaks.
    fn named_as(&self, first: usize, after: usize) -> bool {
        first > 0
            && in_list(self.t(first - 1), &["als"])
            && self
                .toks
                .get(after)
                .is_some_and(|t| t.newlines_before == 0 && in_list(t.text(self.text), NAMING_VERBS))
    }

    /// The subject after a speech verb at `verb`: a person, or an organisation when no
    /// person follows (`so ein Sprecher des CERN`); a pronoun; a role description resolved
    /// to a person; an institution noun. `quote_first` is the quote's first token.
    fn subject_after(&self, verb: usize, quote_first: usize) -> Option<Who> {
        let mut org: Option<(&Entity, (usize, usize))> = None;
        // The role noun's token, also of a compound that names an organisation; `role_at`
        // only of a plain role.
        let mut role: Option<usize> = None;
        let mut role_at: Option<usize> = None;
        let mut institution: Option<(&str, usize)> = None;
        let mut k = verb + 1;
        let limit = (verb + 25).min(self.toks.len());
        while k < limit {
            let t = self.t(k);
            // A publication named in quote marks (`schrieb „Die Zeit“`, `zitiert die
            // „Computerwoche“ Lynch`).
            if matches!(t, "„" | "\"" | "»") && (k == verb + 1 || is_determiner(self.t(k - 1))) {
                if let Some(name) = self.quoted_name(k) {
                    return Some(name);
                }
            }
            if self.toks[k].newlines_before > 0 || is_clause_end(t) {
                break;
            }
            if t == "," {
                // Only an apposition (`, Elmar Gesse`, `, General George Casey`) continues
                // the subject.
                let name_at = |j: usize| {
                    self.ent_at
                        .get(j)
                        .copied()
                        .flatten()
                        .is_some_and(|n| self.ents[n].label == Label::Per)
                };
                let role_then_name = k + 2 < self.toks.len()
                    && is_capitalized(self.t(k + 1))
                    && is_role(self.t(k + 1))
                    && name_at(k + 2);
                if !role_then_name && !(name_at(k + 1) && (org.is_some() || role.is_some())) {
                    break;
                }
                k += if role_then_name { 2 } else { 1 };
                continue;
            }
            if let Some(n) = self.ent_at[k] {
                let e = &self.ents[n];
                match e.label {
                    Label::Per if self.nominative(e) || k == verb + 1 => {
                        return Some(Who::entity(e));
                    }
                    Label::Org if org.is_none() => org = Some((e, (e.first, e.end))),
                    _ => {}
                }
                k = e.end;
                continue;
            }
            if k == verb + 1 && is_pronoun(t) {
                return self.recent_person(quote_first).map(|name| Who {
                    name,
                    mention: (k, k + 1),
                });
            }
            if role.is_none() && institution.is_none() && is_capitalized(t) {
                if let Some(e) = self.org_of_compound(t) {
                    // `ein WWF-Sprecher`: the organisation speaks, unless a name follows
                    // (`VW-Chef Winterkorn`).
                    org = org.or(Some((e, (self.np_start(k, verb + 1), k + 1))));
                    role = Some(k);
                } else if is_role(t) {
                    role = Some(k);
                    role_at = Some(k);
                } else if is_institution(t) {
                    institution = Some((t, k));
                }
            }
            k += 1;
        }
        if let Some((e, mention)) = org {
            return Some(Who {
                name: e.canonical.clone(),
                mention,
            });
        }
        let definite = self
            .toks
            .get(verb + 1)
            .is_some_and(|t| is_definite(t.text(self.text)));
        if !definite {
            // `gab ein Sprecher des Unternehmens bekannt`: the organisation speaks.
            return role_at.and_then(|r| self.genitive_org(self.np_start(r, verb + 1), r));
        }
        if let Some(at) = role {
            let mention = (self.np_start(at, verb + 1), at + 1);
            return self
                .person_with_role(at, quote_first)
                .map(|name| Who { name, mention });
        }
        institution.map(|(t, at)| Who::named(t, self.np_start(at, verb + 1), at + 1))
    }

    /// The name in quote marks opening at token `open` (`„Die Zeit“`): capitalised, at
    /// most six tokens, without a final mark.
    fn quoted_name(&self, open: usize) -> Option<Who> {
        let close = (open + 1..(open + 8).min(self.toks.len())).find(|&j| {
            matches!(self.t(j), "“" | "”" | "\"" | "«") || self.toks[j].newlines_before > 0
        })?;
        if close == open + 1 || !matches!(self.t(close), "“" | "”" | "\"" | "«") {
            return None;
        }
        if !is_capitalized(self.t(open + 1))
            || (open + 1..close).any(|j| matches!(self.t(j), "." | "!" | "?" | "," | ":"))
        {
            return None;
        }
        Some(Who::named(
            &self.text[self.toks[open + 1].start..self.toks[close - 1].end],
            open + 1,
            close,
        ))
    }

    /// The organisation a compound role names before its hyphen (`WWF-Sprecher`,
    /// `SPD-Chef`), when the document mentions it as an organisation.
    fn org_of_compound(&self, t: &str) -> Option<&'a Entity> {
        let (prefix, rest) = t.split_once('-')?;
        if prefix.is_empty() || !is_role(rest) {
            return None;
        }
        self.ents.iter().find(|e| {
            e.label == Label::Org
                && e.end == e.first + 1
                && (e.canonical == prefix || self.t(e.first) == prefix)
        })
    }

    /// A speaker named further on in the sentence (up to token `end`) than the quote ending
    /// before `after`: `Von einer „gezielten Indiskredition“ sprach Christian Ströbele`,
    /// `Der Iran müsse „…“ beenden, so Rice`.
    fn speaker_later(&self, first: usize, after: usize, end: usize) -> Option<Who> {
        for k in after..end {
            let t = self.t(k);
            if self.toks[k].newlines_before > 0 || matches!(t, "„" | "»") {
                return None;
            }
            let so = in_list(t, &["so", "laut"]);
            if is_speech_verb(t) && (!so || self.t(k - 1) == ",") {
                return self.subject_after(k, first);
            }
            // `…“ sei, hatte Koch-Mehrin damals gesagt`.
            if in_list(t, AUXILIARIES) && self.t(k - 1) == "," {
                let participle = (k + 1..(k + 12).min(end))
                    .take_while(|&j| !is_clause_end(self.t(j)) && self.t(j) != ",")
                    .any(|j| in_list(self.t(j), PARTICIPLES));
                if participle {
                    return self.subject_after(k, first);
                }
            }
        }
        None
    }

    /// The source a sentence `start..end` without a verb of saying gives for its quote
    /// `first..after`: `Laut Berliner Polizei ist die Demonstration „weitgehend
    /// störungsfrei“ verlaufen`, `Dies wurde laut Gericht … „manipulative Fähigkeiten“`,
    /// `Laut „Reuters“ zeichnet Russland …`, `dem Sender zufolge`, `nach Angaben der
    /// Polizei`. An entity or an institution; a sentence that says who speaks (`Merkel
    /// sagte laut „Spiegel“ …`) names its speaker otherwise.
    fn source(&self, (start, end): (usize, usize), first: usize, after: usize) -> Option<Who> {
        let outside = || (start..end).filter(|k| !(first..after).contains(k));
        let who = outside().find_map(|k| {
            let t = self.t(k);
            // `nach Angaben der Polizei` is named with its source noun.
            let noun = k > start && in_list(self.t(k - 1), &["nach"]) && in_list(t, SOURCE_NOUNS);
            let opens = noun || in_list(t, &["laut"]);
            if opens && k + 1 < end && !(first..after).contains(&(k + 1)) {
                let mut who = self.source_after(k + 1, end)?;
                if noun {
                    who.mention.0 = k;
                }
                return Some(who);
            }
            (t == "zufolge" && k > start)
                .then(|| self.source_before(start, k))
                .flatten()
        })?;
        // Checked last: most sentences name no source, and this test is the costly one.
        let says = outside().any(|k| {
            let t = self.t(k);
            is_lowercase(t) && says_or_names(t)
        });
        (!says).then_some(who)
    }

    /// The entity, the publication in quote marks or the institution that opens at token
    /// `k` (before `end`), after a determiner and adjectives: `der Berliner Polizei`,
    /// `„Reuters“`, `des Senders CNN`.
    fn source_after(&self, k: usize, end: usize) -> Option<Who> {
        let mut j = k;
        if is_determiner(self.t(j)) {
            j += 1;
        }
        while j < end && j - k < 4 && is_adjective_like(self.t(j)) {
            j += 1;
        }
        if j >= end {
            return None;
        }
        if matches!(self.t(j), "„" | "\"" | "»") {
            return self
                .quoted_name(j)
                .map(|w| Who::named(&w.name, k, w.mention.1 + 1));
        }
        let mut head = None;
        while j < end && j - k < 6 && self.toks[j].kind == Kind::Word && is_capitalized(self.t(j)) {
            if let Some(n) = self.ent_at[j] {
                let e = &self.ents[n];
                return matches!(e.label, Label::Per | Label::Org)
                    .then(|| Who::named(&e.canonical, k, e.end));
            }
            head = Some(j);
            j += 1;
        }
        let h = head?;
        let t = self.t(h);
        // `des Senders`, `der Polizei`.
        let stem = t.strip_suffix("es").or_else(|| t.strip_suffix('s'));
        let name = if is_institution(t) {
            t
        } else {
            stem.filter(|s| is_institution(s))?
        };
        Some(Who::named(name, k, h + 1))
    }

    /// The entity or institution of the noun phrase that ends before `zufolge` at token
    /// `k` (`dem Bericht des Senders zufolge` names no one, `der Polizei zufolge` does).
    fn source_before(&self, start: usize, k: usize) -> Option<Who> {
        let h = k - 1;
        if let Some(e) = self.entity_ending_at(k, start, true) {
            let from = self.np_start(e.first, start.max(e.first.saturating_sub(4)));
            return Some(Who::named(&e.canonical, from, k));
        }
        let t = self.t(h);
        is_institution(t)
            .then(|| Who::named(t, self.np_start(h, start.max(h.saturating_sub(4))), k))
    }

    /// The organisation a role speaks for, named in the genitive right after it (`ein
    /// Sprecher des CERN`, `ein Sprecher des Finanzministeriums` → `Finanzministerium`);
    /// the mention is the whole phrase from token `np_start`.
    fn genitive_org(&self, np_start: usize, role: usize) -> Option<Who> {
        let det = self.toks.get(role + 1)?;
        if !matches!(det.text(self.text), "des" | "der") {
            return None;
        }
        if let Some(n) = self.ent_at.get(role + 2).copied().flatten() {
            let e = &self.ents[n];
            return (e.label == Label::Org).then(|| Who {
                name: e.canonical.clone(),
                mention: (np_start, e.end),
            });
        }
        let t = self.toks.get(role + 2)?.text(self.text);
        if is_institution(t) {
            return Some(Who::named(t, np_start, role + 3));
        }
        let stem = t.strip_suffix("es").or_else(|| t.strip_suffix('s'))?;
        is_institution(stem).then(|| Who::named(stem, np_start, role + 3))
    }

    /// After the quote ending before token `after`: `…“, sagte Kim`, `…“, so Kim`,
    /// `…“, wird Kim zitiert`; `short`: the quote has fewer words than the minimum or
    /// looks like a title.
    /// `Some(speaker)` when a speech verb follows (the speaker
    /// may still be unknown), `None` when nothing attributes the quote there.
    fn speaker_after(&self, first: usize, after: usize, short: bool) -> Option<Option<Who>> {
        if self.named_as(first, after) {
            return Some(self.subject_after(after, first));
        }
        let mut j = after;
        if self.toks.get(j).is_some_and(|t| t.text(self.text) == ",") {
            j += 1;
        } else if short && !self.final_mark_inside(after) {
            // A short quote without a comma or a final mark is the subject itself
            // (`„Der Spiegel“ berichtete`).
            return None;
        }
        let verb = self.toks.get(j)?;
        if verb.newlines_before > 0 {
            return None;
        }
        let vt = verb.text(self.text);
        // `„…“ Laut der gleichen Agentur hält es …` opens a sentence of its own about
        // something else: a quote ending its sentence is not what that `laut` attributes.
        let ends_sentence = after >= 2 && matches!(self.t(after - 2), "." | "!" | "?" | "…");
        if is_speech_verb(vt) && !(ends_sentence && vt == "Laut") {
            return Some(self.subject_after(j, first));
        }
        // `„…“ Das sagte Steinbrück am Dienstag.`: the next sentence attributes a quote that
        // is a sentence of its own.
        // Also with a modal or an auxiliary and the verb of saying at the end (`„…“. Das
        // musste Bundesfinanzminister Peer Steinbrück zu Beginn der Debatte einräumen.`).
        // The quote is a sentence of its own: its final mark inside, or right after it.
        let next_sentence = if ends_sentence {
            Some(j)
        } else {
            (j == after && vt == ".").then_some(after + 1)
        };
        if let Some(j) = next_sentence.filter(|&j| {
            self.toks
                .get(j)
                .is_some_and(|t| in_list(t.text(self.text), &["Das", "Dies"]))
        }) {
            let next = self.toks.get(j + 1)?;
            if next.newlines_before > 0 {
                return None;
            }
            let next = next.text(self.text);
            if says_or_names(next) {
                return Some(self.subject_after(j + 1, first));
            }
            if in_list(next, AUXILIARIES) || in_list(next, MODALS) {
                let said = (j + 2..(j + 25).min(self.toks.len()))
                    .take_while(|&k| !is_clause_end(self.t(k)) && self.t(k) != ",")
                    .last()
                    .is_some_and(|k| {
                        in_list(self.t(k), PARTICIPLES) || in_list(self.t(k), SAYING_INFINITIVES)
                    });
                return said.then(|| self.subject_after(j + 1, first));
            }
            return None;
        }
        // `…“, wird Panetta zitiert`, `…“, wie Hoyzer zitiert wird`.
        let wie = vt == "wie";
        if wie || in_list(vt, AUXILIARIES) {
            for k in j + 1..(j + 25).min(self.toks.len()) {
                let t = self.t(k);
                if is_clause_end(t) {
                    break;
                }
                if in_list(t, PARTICIPLES) || (wie && is_speech_verb(t)) {
                    return Some(self.subject_after(j, first));
                }
            }
        }
        None
    }

    /// Whether token `j`, right after the comma that follows a quote, is a verb the speaker
    /// follows as its subject, though no verb of saying (`„…“, strich Romney heraus`,
    /// `„…“, wollen die Demonstranten …`): the quote opens the clause, so a finite verb
    /// comes next and its subject after it. A lowercase word that is no conjunction,
    /// preposition, article, pronoun or adverb, before a person or a noun phrase that may
    /// speak.
    fn inverted_verb(&self, j: usize) -> bool {
        let Some(tok) = self.toks.get(j) else {
            return false;
        };
        let t = tok.text(self.text);
        if tok.kind != Kind::Word
            || tok.newlines_before > 0
            || !is_lowercase(t)
            || in_list(t, PREPOSITIONS)
            || in_list(t, SENTENCE_OPENERS)
            || is_determiner(t)
            || is_pronoun(t)
            || in_list(
                t,
                &[
                    "dass", "ob", "sondern", "bis", "sowie", "wobei", "wonach", "womit", "welche",
                    "welcher", "welches", "nicht", "sich", "zu", "sei", "ist", "war",
                ],
            )
        {
            return false;
        }
        let mut k = j + 1;
        if self
            .toks
            .get(k)
            .is_some_and(|n| n.text(self.text) == "sich")
        {
            k += 1;
        }
        if k >= self.toks.len() || self.toks[k].newlines_before > 0 {
            return false;
        }
        if let Some(n) = self.ent_at[k] {
            return self.ents[n].label == Label::Per;
        }
        self.noun_phrase(k, self.toks.len(), false)
            .is_some_and(|np| self.speaks(np))
    }

    /// The speaker after a quote and the verb [`Cx::inverted_verb`] accepts.
    fn inverted_speaker(&self, first: usize, after: usize) -> Option<Who> {
        let comma = self.toks.get(after)?.text(self.text) == ",";
        (comma && self.inverted_verb(after + 1))
            .then(|| self.subject_after(after + 1, first))
            .flatten()
    }

    /// The person `laut` names as the source of the quote opening at token `first` right
    /// after the name: `laut Klinikdirektor Prof. Dr. Matthias Beckmann „…“` (only roles,
    /// titles and their dots between `laut` and the name).
    fn named_with_laut(&self, start: usize, first: usize) -> Option<Who> {
        let e = self
            .ents
            .iter()
            .find(|e| e.label == Label::Per && e.end == first && e.first > start)?;
        let title = |k: &usize| {
            let t = self.t(*k);
            t == "." || (self.toks[*k].kind == Kind::Word && is_capitalized(t))
        };
        (e.first.saturating_sub(6).max(start)..e.first)
            .rev()
            .take_while(|k| self.t(*k) == "laut" || title(k))
            .any(|k| self.t(k) == "laut")
            .then(|| Who::entity(e))
    }

    /// The person or organisation whose words a noun of saying right before the quote at
    /// `first` names in the genitive: `Trumps Bezeichnung Nordkoreas als „Atommacht“`,
    /// `Merkels Worte „…“`. Closer to the quote than the subject of the sentence, who only
    /// reports them (`Cho sagte, dass Trumps Bezeichnung … als „…“ ein Anreiz sei`).
    fn owner_of_words(&self, start: usize, first: usize) -> Option<Who> {
        let noun = (first.saturating_sub(4).max(start + 1)..first)
            .find(|&k| in_list(self.t(k), SPEECH_NOUNS) || in_list(self.t(k), NAMING_NOUNS))?;
        let e = self.entity_ending_at(noun, start, true)?;
        let last = self.t(e.end - 1);
        (last.ends_with('s') || last.ends_with('’') || last.ends_with('\'')).then(|| Who::entity(e))
    }

    /// The person a sentence quotes `mit den Worten` right before the quote at `first`
    /// (or the colon that introduces it): `Die Agentur zitiert dazu Néstor Kirchner mit
    /// folgenden Worten: „…“` (the subject only reports them); a description is resolved
    /// as [`Cx::described`] does (see [`Cx::quoted_object`]).
    fn quoted_with_words(&self, start: usize, first: usize) -> Option<Who> {
        self.described(self.quoted_object(start, first)?)
    }

    /// Who a verb of quoting quotes `mit den Worten` right before the quote at `first`, or
    /// the colon that introduces it, in the sentence from `start`: a person (`zitiert dazu
    /// Néstor Kirchner mit folgenden Worten: „…“`) or a description (`zitiert den Prediger
    /// mit den Worten „…“`), the verb's object.
    fn quoted_object(&self, start: usize, first: usize) -> Option<(usize, usize)> {
        let first = first - usize::from(first > 0 && self.t(first - 1) == ":");
        if first < start + 4 || self.t(first - 1) != "Worten" {
            return None;
        }
        let det = [
            "den",
            "folgenden",
            "diesen",
            "seinen",
            "ihren",
            "klaren",
            "deutlichen",
        ];
        let object_end = first - 3;
        if !in_list(self.t(first - 2), &det) || self.t(object_end) != "mit" {
            return None;
        }
        let quoting = (start..object_end).find(|&k| self.t(k).starts_with("zitiert"))?;
        if let Some(e) = self.entity_ending_at(object_end, quoting + 1, false) {
            return Some((e.first, e.end));
        }
        (quoting + 1..object_end)
            .filter_map(|k| self.noun_phrase(k, object_end, true))
            .find(|np| np.1 == object_end)
    }

    /// The person named right before the colon that introduces the quote `first..after`,
    /// or right before a verb of saying and that colon, a party in parentheses allowed
    /// (`…, Sandra Boser (GRÜNE), erklärte: „…“`, `und Ministerpräsident Jens Stoltenberg:
    /// „…“`); or before the parentheses a sentence is quoted in (`Mohammed ElBaradei („Mir
    /// fällt niemand ein.“)`). Closer to the quote than any other name in the sentence, and
    /// so its speaker even when an earlier clause has a subject of its own.
    fn person_at_cue(&self, start: usize, first: usize, after: usize) -> Option<Who> {
        if first <= start + 1 {
            return None;
        }
        let mut k = first - 1;
        match self.t(k) {
            ":" => {
                if k > start + 1 && is_lowercase(self.t(k - 1)) && is_speech_verb(self.t(k - 1)) {
                    k -= 1;
                    if self.t(k - 1) == "," {
                        k -= 1;
                    }
                }
            }
            // Not a name's gloss (`Beckenbauer („Kaiser“)`): a sentence of its own.
            "(" if self.ends_sentence_inside(after) => {}
            _ => return None,
        }
        if k > start && self.t(k - 1) == ")" {
            k = (k.saturating_sub(6).max(start)..k - 1)
                .rev()
                .find(|&j| self.t(j) == "(")?;
        }
        let n = self.ent_at[start..k]
            .iter()
            .rev()
            .flatten()
            .find(|&&n| self.ents[n].end >= k)?;
        let e = &self.ents[*n];
        (e.label == Label::Per && e.end == k && self.nominative(e)).then(|| Who::entity(e))
    }

    /// The person who opens the clause of the quote at `first` after a comma, right before
    /// a verb of saying or naming (`Klose nannte seinen Platzverweis „überzogen“,
    /// Bundestrainer Joachim Löw bezeichnete … als „übertrieben“`): the subject of that
    /// clause, not of the sentence's first.
    fn clause_subject(&self, start: usize, first: usize) -> Option<Who> {
        (start..first)
            .rev()
            .filter(|&k| self.t(k) == ",")
            .find_map(|comma| {
                let mut k = comma + 1;
                if k < first && is_capitalized(self.t(k)) && is_role(self.t(k)) {
                    k += 1;
                }
                let e = &self.ents[self.ent_at.get(k).copied().flatten()?];
                let verb = e.end;
                (e.label == Label::Per
                    && verb < first
                    && is_lowercase(self.t(verb))
                    && says_or_names(self.t(verb)))
                .then(|| Who::entity(e))
            })
    }

    /// The speaker named in the sentence (from token `start`) before the quote at `first`:
    /// `Kim sagte: „…“`, `Kim: „…“`, `Über Fossett sagte Branson: „…“`, `Trump nannte das
    /// „…“`, `Er sagte: „…“`, `Die Polizei erklärte: „…“`. Persons come first; when a colon or a
    /// speech verb introduces the quote: then organisations, pronouns, roles and
    /// institutions count too.
    fn speaker_before(&self, start: usize, first: usize) -> Option<Who> {
        if first == 0 || first <= start {
            return None;
        }
        let colon = self.t(first - 1) == ":";
        let cue = colon || (start..first).any(|k| is_speech_verb(self.t(k)));
        if let Some(k) = self.subject_pronoun(start, first) {
            return self.recent_person(start).map(|name| Who {
                name,
                mention: (k, k + 1),
            });
        }
        let in_sentence = |e: &&Entity| e.first >= start && e.end < first;
        let persons = || {
            self.ents
                .iter()
                .filter(in_sentence)
                .filter(|e| e.label == Label::Per)
        };
        if let Some(e) = persons().find(|e| self.nominative(e)) {
            return Some(Who::entity(e));
        }
        if !cue {
            return persons()
                .next()
                .map(Who::entity)
                .or_else(|| self.sentence_subject(start, first));
        }
        if let Some(e) = self
            .ents
            .iter()
            .filter(in_sentence)
            .find(|e| e.label == Label::Org && self.nominative(e))
        {
            return Some(Who::entity(e));
        }
        for k in start..first - 1 {
            let t = self.t(k);
            if is_pronoun(t) {
                return self.recent_person(start).map(|name| Who {
                    name,
                    mention: (k, k + 1),
                });
            }
            let Some(det) = self.np_determiner(k, start) else {
                continue;
            };
            if let Some(e) = self.org_of_compound(t) {
                // `Ein WWF-Sprecher sagte: „…“`: the organisation speaks.
                return Some(Who {
                    name: e.canonical.clone(),
                    mention: (det, k + 1),
                });
            }
            if is_role(t) {
                // `ein Sprecher` is someone new, `ein Sprecher des CERN` speaks for the CERN;
                // `der Sprecher` is someone known.
                return if is_definite(self.t(det)) {
                    self.person_with_role(k, start).map(|name| Who {
                        name,
                        mention: (det, k + 1),
                    })
                } else {
                    self.genitive_org(det, k)
                };
            }
            if is_institution(t) {
                return Some(Who::named(t, det, k + 1));
            }
        }
        persons().next().map(Who::entity)
    }

    /// The pronoun that is the subject of the sentence from token `start` before the quote
    /// at `first`: one that opens it before a verb (`Er bezeichnete das als „…“`), else
    /// `er` in the sentence's first clause before any name (`In einem Interview erklärte
    /// er: „…“`), or `sie` right after a verb of saying or naming when a preposition opens
    /// the sentence (after a verb it is an object as often: `Der Geschäftsführer nannte
    /// sie „…“`).
    fn subject_pronoun(&self, start: usize, first: usize) -> Option<usize> {
        let k0 = (start..first).find(|&k| self.toks[k].kind != Kind::Punct)?;
        if is_pronoun(self.t(k0))
            && k0 + 1 < first
            && self.toks[k0 + 1].kind == Kind::Word
            && is_lowercase(self.t(k0 + 1))
        {
            // `Er halte die Gesetze für „maßvoll“` goes on reporting the speaker named
            // before, who is the one the quote is attributed to.
            return (!in_list(self.t(k0 + 1), SUBJUNCTIVES)).then_some(k0);
        }
        let fronted_phrase = in_list(self.t(k0), PREPOSITIONS);
        for k in k0 + 1..first {
            let t = self.t(k);
            // Past a comma, or a person who may be the subject, the pronoun may belong to
            // another clause (`In einem Interview mit der BBC erklärte er` is one).
            let person = self.ent_at[k].is_some_and(|n| {
                let e = &self.ents[n];
                e.label == Label::Per && self.nominative(e)
            });
            if t == "," || person {
                return None;
            }
            let verb = self.t(k - 1);
            let after_verb = is_lowercase(verb) && says_or_names(verb);
            // `er` is only ever a subject; `sie` is one after a verb of saying when a
            // preposition opens the sentence.
            if t == "er" || (t == "sie" && after_verb && fronted_phrase) {
                return Some(k);
            }
        }
        None
    }

    /// The words that describe a speaker no entity resolves, as a token range: the subject
    /// after a speech verb right after the quote (`…“, meint die 56-jährige Angestellte`), a
    /// source (`laut einem Jury-Mitglied`, `nach Angaben einer Gewerkschaft`), else the
    /// subject of the quote's sentence `(start, end)` before the quote (see
    /// [`Cx::described_subject`]).
    fn described_speaker(
        &self,
        first: usize,
        after: usize,
        (start, end): (usize, usize),
        names_the_subject: bool,
    ) -> Option<(usize, usize)> {
        let mut j = after;
        if self.toks.get(j).is_some_and(|t| t.text(self.text) == ",") {
            j += 1;
        }
        // The quote may end a sentence of its own, so this looks past `end`.
        let limit = self.toks.len();
        let naming = j == after && self.named_as(first, after);
        if j + 1 < limit
            && !(names_the_subject && j == after)
            && self.toks[j].newlines_before == 0
            && (is_speech_verb(self.t(j)) || naming || (j > after && self.inverted_verb(j)))
            && !in_list(self.t(j), &["so", "laut"])
        {
            // `fragen sich Experten`.
            let k = if self.t(j + 1) == "sich" {
                j + 2
            } else {
                j + 1
            };
            let bare = || {
                let t = self.toks.get(k).filter(|_| k < limit)?;
                let word = t.kind == Kind::Word && is_capitalized(t.text(self.text));
                let ends = self
                    .toks
                    .get(k + 1)
                    .is_none_or(|n| n.kind == Kind::Punct || is_lowercase(n.text(self.text)));
                (word && ends && !in_list(t.text(self.text), SENTENCE_OPENERS))
                    .then_some((k, k + 1))
            };
            if let Some(np) = self.noun_phrase(k, limit, false).or_else(bare) {
                return Some(np);
            }
        }
        if let Some(np) = self.subject_naming_as(first, after, start) {
            return Some(np);
        }
        if let Some(np) = self.written_source(start, end.max(after)) {
            return Some(np);
        }
        let outside = (start..end).filter(|k| !(first..after).contains(k));
        for k in outside {
            let t = self.t(k);
            if in_list(t, &["laut"]) {
                if let Some(np) = self.noun_phrase(k + 1, end, true) {
                    return Some(np);
                }
            }
            let source = in_list(t, SOURCE_NOUNS);
            if source && k > start && in_list(self.t(k - 1), &["nach"]) {
                if let Some((_, np_end)) = self.noun_phrase(k + 1, end, true) {
                    return Some((k, np_end));
                }
            }
            // `Seiner Ansicht nach`.
            if source
                && k > start
                && in_list(self.t(k - 1), &["seiner", "ihrer"])
                && self
                    .toks
                    .get(k + 1)
                    .is_some_and(|n| n.text(self.text) == "nach")
            {
                return Some((k - 1, k + 1));
            }
            // `dem Bericht zufolge`.
            if t == "zufolge" {
                let np = (k.saturating_sub(5).max(start)..k)
                    .filter_map(|d| self.noun_phrase(d, k, true))
                    .find(|np| np.1 == k);
                if np.is_some() {
                    return np;
                }
            }
        }
        self.described_subject(start, first.min(end))
    }

    /// The subject of the sentence `start..before` that may speak (see [`Cx::speaks`]): a
    /// noun phrase at its start (`Ein Polizeisprecher gab an, dass „…“`), else the first
    /// one after it that no preposition or noun governs.
    fn described_subject(&self, start: usize, before: usize) -> Option<(usize, usize)> {
        let mut k = start;
        while k < before && self.toks[k].kind == Kind::Punct {
            k += 1;
        }
        if k >= before {
            return None;
        }
        if let Some(np) = self
            .noun_phrase(k, before, false)
            .or_else(|| self.one_of(k, before))
        {
            return (self.speaks(np) || self.says(np.1, before)).then_some(np);
        }
        if let Some(np) = self.bare_subject(k, before) {
            if self.says(np.1, before) {
                return Some(np);
            }
        }
        // The subject after the verb (`In einem Gespräch wies der Geschäftsführer …`,
        // `Höhnisch veröffentlichte der Verfasser …`): the first noun phrase that may speak
        // and is governed by no preposition and no noun before it.
        (k + 1..before)
            .filter(|&j| {
                let prev = self.t(j - 1);
                !(in_list(prev, PREPOSITIONS) || is_capitalized(prev) || is_determiner(prev))
            })
            .filter_map(|j| self.noun_phrase(j, before, false))
            .find(|&np| self.speaks(np) || self.says(np.1, before))
    }

    /// The subject of a clause that names something `als „…“` with a verb of naming after
    /// the quote, between the word opening the clause and `als`: `was US-Beamte als „…“
    /// seines Atomprogramms bezeichnen`, `den die Regierung als „…“ bezeichnet`; in a
    /// passive, the agent after `von` (`vom Deutschen Wetterdienst als „…“ eingestuft`);
    /// in a relative clause whose pronoun is the subject, what it refers to (`vom
    /// Fahrgastverband IGEB, der diese Maßnahme als „…“ sieht`).
    fn subject_naming_as(
        &self,
        first: usize,
        after: usize,
        start: usize,
    ) -> Option<(usize, usize)> {
        if first < 3 || self.t(first - 1) != "als" {
            return None;
        }
        let naming = (after..(after + 6).min(self.toks.len()))
            .take_while(|&k| !is_clause_end(self.t(k)) && self.t(k) != ",")
            .find(|&k| {
                in_list(self.t(k), NAMING_VERBS) || in_list(self.t(k), NAMING_PARTICIPLES)
            })?;
        let as_at = first - 1;
        // The passive's agent: `wird die Gefahr vom Deutschen Wetterdienst als „sehr hoch“
        // eingestuft`.
        if in_list(self.t(naming), NAMING_PARTICIPLES) {
            let by = (as_at.saturating_sub(6).max(start)..as_at)
                .rev()
                .find(|&k| in_list(self.t(k), &["von", "vom"]));
            if let Some(by) = by {
                if let Some(e) = self.entity_ending_at(as_at, by + 1, true) {
                    return Some((e.first, e.end));
                }
                if let Some(np) = self
                    .noun_phrase(by + 1, as_at, true)
                    .filter(|np| np.1 == as_at)
                {
                    return Some(np);
                }
                // A name the tagger missed: capitalised words only (`Deutschen Wetterdienst`).
                let name = (by + 1..as_at)
                    .all(|k| self.toks[k].kind == Kind::Word && is_capitalized(self.t(k)));
                if name && as_at > by + 1 {
                    return Some((by + 1, as_at));
                }
            }
        }
        if !in_list(self.t(naming), NAMING_VERBS) {
            return None;
        }
        let opener = (start..first - 1).rev().find(|&k| {
            in_list(
                self.t(k),
                &[
                    "was", "den", "die", "das", "dem", "der", "dass", "weil", "wie",
                ],
            )
        })?;
        let k = opener + 1;
        // A relative clause whose pronoun is the subject (`Kritik kommt vom Berliner
        // Fahrgastverband IGEB, der diese Maßnahme als „Kapitulation“ sieht`, `eine
        // Botschaft, welche die Techniker als „…“ bezeichnete`): what it refers to, right
        // before the comma.
        let comma = (start..as_at).rev().find(|&j| self.t(j) == ",");
        let relative = comma.filter(|&comma| {
            comma + 1 < as_at
                && in_list(self.t(comma + 1), &["der", "die", "welche", "welcher"])
                && self
                    .noun_phrase(comma + 2, as_at, true)
                    .is_none_or(|np| !self.speaks(np))
        });
        if let Some(comma) = relative {
            if let Some(e) = self.entity_ending_at(comma, start, true) {
                return Some((e.first, e.end));
            }
            return (comma.saturating_sub(6).max(start)..comma)
                .filter_map(|d| self.noun_phrase(d, comma, true))
                .find(|np| np.1 == comma && self.speaks(*np));
        }
        if let Some(np) = self.noun_phrase(k, first - 1, false) {
            return (np.1 == first - 1 && self.speaks(np)).then_some(np);
        }
        let np = self.bare_subject(k, first)?;
        (np.1 == first - 1 && (np.0..np.1).any(|j| self.may_speak(j))).then_some(np)
    }

    /// The text a quote is read from, named with `heißt es` in the sentence `start..end`:
    /// `In dem Antrag heißt es: „…“`, `So heißt es in der Meldung: „…“`, `„…“, heißt es
    /// auf der Webseite des Preises`, `Aus Paris hieß es, …`; the noun phrase after the
    /// preposition.
    fn written_source(&self, start: usize, end: usize) -> Option<(usize, usize)> {
        let end = end.min(self.toks.len());
        let it = (start..end.saturating_sub(1))
            .find(|&k| in_list(self.t(k), &["heißt", "hieß"]) && self.t(k + 1) == "es")?;
        let opens_source = |k: usize| in_list(self.t(k), &["in", "im", "auf", "aus"]);
        let after_it = (it + 2..(it + 4).min(end)).find(|&k| opens_source(k));
        let fronted = (start..it)
            .find(|&k| self.toks[k].kind != Kind::Punct)
            .filter(|&k| opens_source(k));
        let p = after_it.or(fronted)?;
        if let Some(np) = self.noun_phrase(p + 1, end, true) {
            return Some(self.with_von_source(np, end));
        }
        // `im letzten Satz der Anordnung`, `aus Paris`: the words up to a capitalised head.
        let head = (p + 1..(p + 5).min(end))
            .find(|&j| self.toks[j].kind == Kind::Word && is_capitalized(self.t(j)))?;
        let lead_ok = (p + 1..head).all(|j| {
            self.toks[j].kind == Kind::Word && is_lowercase(self.t(j)) && !is_speech_verb(self.t(j))
        });
        lead_ok.then_some((p + 1, head + 1))
    }

    /// The noun phrase `np` of a text or report, with the source named after it with `von`
    /// (`einer Meldung von KCNA`, `der Meldung auf der Homepage von „con energy“` is not
    /// reached): the mention then holds the entity that speaks through the text.
    fn with_von_source(&self, (a, b): (usize, usize), end: usize) -> (usize, usize) {
        if b + 1 >= end || self.t(b) != "von" {
            return (a, b);
        }
        match self.source_after(b + 1, end) {
            Some(who) => (a, who.mention.1),
            None => (a, b),
        }
    }

    /// Up to three capitalised words without an article that open a sentence at token
    /// `k` before a lowercase word (`Thaksin begründete …`, `EBay-Deutschland gab …`,
    /// `Medienvertreter der …`): a name or a plural noun, unless the first is a word that
    /// opens sentences otherwise (`Dazu`, `Später`, `Ursprünglich`), which the text writes
    /// in lowercase elsewhere or which ends like an adverb.
    fn bare_subject(&self, k: usize, end: usize) -> Option<(usize, usize)> {
        let word = |j: usize| self.toks[j].kind == Kind::Word;
        let mut j = k;
        while j < end && j - k < 3 && word(j) && is_capitalized(self.t(j)) {
            j += 1;
        }
        if j == k || j >= end || !word(j) || !is_lowercase(self.t(j)) {
            return None;
        }
        let opener = self.t(k);
        let lower = opener.to_lowercase();
        let adverb_like = ["lich", "weise", "end", "falls", "mals", "dings"]
            .iter()
            .any(|s| lower.ends_with(s));
        let function_word = in_list(opener, PREPOSITIONS)
            || in_list(opener, SENTENCE_OPENERS)
            || is_pronoun(opener)
            || is_determiner(opener)
            || adverb_like;
        let lowercase_elsewhere = || self.toks.iter().any(|t| t.text(self.text) == lower);
        (!function_word && !lowercase_elsewhere()).then_some((k, j))
    }

    /// The noun phrase that opens the sentence from token `start` as its subject before a
    /// verb of saying or naming or a colon that introduces the quote at `first` (`Der
    /// Vertreter Libyens nannte die Sanktionen …`, `Ein Sprecher von Tesla teilte mit: „…“`,
    /// `Ein Polizeisprecher gab an, dass „…“`); not one a name opens, which the rules for
    /// names judge.
    fn opening_subject(&self, start: usize, first: usize) -> Option<(usize, usize)> {
        let k0 = (start..first).find(|&k| self.toks[k].kind != Kind::Punct)?;
        let np = self
            .noun_phrase(k0, first, false)
            .or_else(|| self.one_of(k0, first))?;
        let person = |j: usize| self.ent_at[j].is_some_and(|n| self.ents[n].label == Label::Per);
        if (np.0..np.1).any(person) {
            return None;
        }
        // `Der englisch-sprachigen Zeitung sagte …`: `der` before an adjective in `-en` is a
        // dative or a genitive.
        if in_list(self.t(np.0), &["der"])
            && np.0 + 1 < np.1
            && is_lowercase(self.t(np.0 + 1))
            && self.t(np.0 + 1).ends_with("en")
        {
            return None;
        }
        // `von Tesla`, `aus Washington`.
        let mut j = np.1;
        if j + 1 < first && in_list(self.t(j), &["von", "aus"]) && is_capitalized(self.t(j + 1)) {
            j += 2;
            while j < first && self.toks[j].kind == Kind::Word && is_capitalized(self.t(j)) {
                j += 1;
            }
        }
        let verb = self.toks.get(j).filter(|_| j < first)?;
        let verb_text = verb.text(self.text);
        let finite = verb.kind == Kind::Word
            && is_lowercase(verb_text)
            && !in_list(verb_text, PREPOSITIONS)
            && !is_determiner(verb_text)
            && !is_pronoun(verb_text)
            && !in_list(
                verb_text,
                &["und", "oder", "sowie", "so", "laut", "wie", "als"],
            );
        // A person named right after the verb (`sagte Filep Karma`), or in a later clause
        // (`…, wonach Evo Morales …`, `und Sondhi rief …`), is the subject there.
        let person_later = (j + 1..first).any(|k| {
            self.ent_at[k].is_some_and(|n| {
                let e = &self.ents[n];
                e.label == Label::Per
                    && self.nominative(e)
                    && (k == j + 1 || (j + 1..k).any(|u| matches!(self.t(u), "und" | ",")))
            })
        });
        (finite && !person_later && self.says(j, first)).then_some((np.0, j))
    }

    /// Who the noun phrase `np` names: an organisation in it, a role resolved as
    /// [`Cx::speaker_before`] does (`der Sprecher` → the person introduced so;
    /// `ein Sprecher des CERN` → the CERN), or an institution; with `np` as the mention.
    fn described(&self, (a, b): (usize, usize)) -> Option<Who> {
        for k in a..b {
            if let Some(n) = self.ent_at[k] {
                let e = &self.ents[n];
                return (e.label == Label::Org || e.label == Label::Per).then(|| Who {
                    name: e.canonical.clone(),
                    mention: (a, b),
                });
            }
            let t = self.t(k);
            let opener = k == a && (is_determiner(t) || in_list(t, &["einer", "eines"]));
            if opener || !is_capitalized(t) || self.toks[k].kind != Kind::Word {
                continue;
            }
            let named = |name: String| Who {
                name,
                mention: (a, b),
            };
            if let Some(e) = self.org_of_compound(t) {
                return Some(named(e.canonical.clone()));
            }
            if is_role(t) {
                // `der Hauptgeschäftsführer des BPI` speaks for the BPI unless a person was
                // introduced with that role.
                if is_definite(self.t(a)) {
                    return (self.introduced_with_role(a, b).map(named))
                        .or_else(|| self.genitive_org(a, k).map(|w| named(w.name)))
                        .or_else(|| self.person_with_role(k, a).map(named));
                }
                return self.genitive_org(a, k).map(|w| named(w.name)).or_else(|| {
                    let org = (k + 1..b + 3).find_map(|j| self.ent_at.get(j).copied().flatten());
                    org.map(|n| &self.ents[n])
                        .filter(|e| e.label == Label::Org)
                        .map(|e| named(e.canonical.clone()))
                });
            }
            if is_institution(t) {
                return Some(Who::named(t, a, b));
            }
            return None;
        }
        None
    }

    /// The person or organisation a description `a..b` names in itself (`Die SPD`, `ein
    /// Reporter des Senders Sky News`), with the description as the mention.
    fn entity_in(&self, (a, b): (usize, usize)) -> Option<Who> {
        let n = (a..b).find_map(|k| self.ent_at[k])?;
        let e = &self.ents[n];
        (matches!(e.label, Label::Per | Label::Org) && e.end <= b).then(|| Who {
            name: e.canonical.clone(),
            mention: (a, b),
        })
    }

    /// `Einer der 13 beteiligten Feuerwehrmänner`: one of a group, opening at token `k`
    /// (before `end`), as a noun phrase.
    fn one_of(&self, k: usize, end: usize) -> Option<(usize, usize)> {
        let one = self.toks.get(k).filter(|_| k + 1 < end)?.text(self.text);
        if !(in_list(one, &["einer", "eine", "eines"]) && in_list(self.t(k + 1), &["der", "des"])) {
            return None;
        }
        self.noun_phrase(k + 1, end, true)
            .map(|(_, np_end)| (k, np_end))
    }

    /// Whether the clause from token `from` up to the quote at `before` says that its
    /// subject speaks: it introduces the quote with a colon (`Der Text lautete: „…“`), or
    /// a verb of saying or naming comes before any comma (`Die Passagiere berichteten, …`).
    fn says(&self, from: usize, before: usize) -> bool {
        if before > 0 && self.t(before - 1) == ":" {
            return true;
        }
        (from..before.min(from + 8))
            .map(|j| self.t(j))
            .take_while(|&t| t != ",")
            .any(|t| is_lowercase(t) && says_or_names(t))
    }

    /// Whether the noun phrase `np` may name someone who speaks: its head (the first
    /// capitalised word) is a role (`Polizeisprecher`), an institution, a noun of a
    /// publication or group (`Rundschau`, `Autoren`), an age (`Der 58-Jährige`), or starts
    /// an entity. `Die Geheimklauseln` and `Der Bau` do not speak.
    fn speaks(&self, (start, end): (usize, usize)) -> bool {
        (start + 1..end)
            .take_while(|&j| !in_list(self.t(j), &["des", "der"]))
            .any(|j| self.may_speak(j))
    }

    /// Whether the word at token `j` names someone who may speak: an entity, a role, an
    /// institution, an acronym, an age (`56-Jährige`) or a noun for people
    /// ([`SPEAKER_NOUNS`]).
    fn may_speak(&self, j: usize) -> bool {
        let t = self.t(j);
        if !(is_capitalized(t) || t.starts_with(|c: char| c.is_ascii_digit())) {
            return false;
        }
        if self.ent_at[j].is_some() || is_role(t) || is_institution(t) {
            return true;
        }
        // An acronym names an organisation (`Der BGH`).
        let acronym = t.chars().count() >= 2 && t.chars().all(|c| c.is_uppercase());
        let lower = t.to_lowercase();
        acronym
            || lower.ends_with("jährige")
            || lower.ends_with("jähriger")
            || SPEAKER_NOUNS.iter().any(|n| lower.ends_with(n))
    }

    /// The noun phrase opening at token `k` (before `end`): a determiner (a nominative one
    /// unless `any_case`), up to four modifiers, a capitalised head and the capitalised
    /// words and genitive after it (`die 56-jährige Rechtsanwaltsfachangestellte`, `ein
    /// Reporter des Senders Sky News`).
    fn noun_phrase(&self, k: usize, end: usize, any_case: bool) -> Option<(usize, usize)> {
        let det = self.toks.get(k).filter(|_| k < end)?.text(self.text);
        let opens = if any_case {
            is_determiner(det) && !in_list(det, &["im", "vom", "zum", "zur", "beim", "am", "ins"])
        } else {
            // Possessives too: `dessen Stellvertreter`, `seine Frau`.
            in_list(
                det,
                &[
                    "der", "die", "das", "ein", "eine", "dessen", "deren", "sein", "seine", "ihre",
                ],
            )
        };
        if !opens {
            return None;
        }
        // `Sprecher`, `23-Jährige`, `documenta-Homepage`.
        let is_head = |j: usize| {
            let t = self.t(j);
            is_capitalized(t)
                || (self.toks[j].kind != Kind::Punct
                    && t.rsplit_once('-').is_some_and(|(_, r)| is_capitalized(r)))
        };
        let mut j = k + 1;
        while j < end && j - k <= 4 && !is_head(j) {
            let t = self.t(j);
            // `neue`, `56-jährige`, `25`; not `die er mit …`.
            let modifier = (self.toks[j].kind == Kind::Word
                && !is_capitalized(t)
                && !is_pronoun(t)
                && !in_list(t, PREPOSITIONS)
                && !is_determiner(t))
                || self.toks[j].kind == Kind::Number;
            if !modifier {
                return None;
            }
            j += 1;
        }
        if j >= end || !is_head(j) {
            return None;
        }
        j += 1;
        while j < end && self.toks[j].kind == Kind::Word && is_capitalized(self.t(j)) {
            j += 1;
        }
        // A genitive: `der Autoren der Studie`, `ein Sprecher des Senders Sky News`.
        if j + 1 < end && in_list(self.t(j), &["des", "der"]) {
            let mut g = j + 1;
            while g < end
                && g - j <= 3
                && self.toks[g].kind == Kind::Word
                && is_lowercase(self.t(g))
            {
                g += 1;
            }
            if g < end && is_head(g) {
                j = g + 1;
                while j < end && self.toks[j].kind == Kind::Word && is_capitalized(self.t(j)) {
                    j += 1;
                }
            }
        }
        Some((k, j))
    }

    /// A quote of fewer words than the minimum that still is someone's words: it starts
    /// lowercase (`„völlig unrealistisch“`), is no `so genannte` term or web address, and
    /// its sentence `(start, end)` reports speech (a person or organisation, a verb of
    /// saying or naming, a subjunctive).
    fn partial_quote(&self, first: usize, after: usize, sentence: (usize, usize)) -> bool {
        let inner = first + 1..after.saturating_sub(1);
        let Some(w) = inner.clone().find(|&k| self.toks[k].kind == Kind::Word) else {
            return false;
        };
        if !is_lowercase(self.t(w)) {
            return false;
        }
        if inner
            .clone()
            .any(|k| matches!(self.toks[k].kind, Kind::Url | Kind::Email))
        {
            return false;
        }
        if first > 0 && in_list(self.t(first - 1), TERM_MARKERS) {
            return false;
        }
        let outside = (sentence.0..sentence.1).filter(|k| !(first..after).contains(k));
        let mut report = false;
        for k in outside {
            if self.ent_at[k].is_some_and(|n| matches!(self.ents[n].label, Label::Per)) {
                report = true;
                break;
            }
            let t = self.t(k);
            if is_speech_verb(t) || in_list(t, REPORT_CUES) || in_list(t, SUBJUNCTIVES) {
                report = true;
                break;
            }
        }
        report
    }

    /// A capitalised noun phrase quoted inside reported speech (`sei man von einer
    /// „Entschuldung weit entfernt“`, `dass es für die „Totengräber der Demokratie“ keine
    /// Toleranz geben dürfe`): after an article or a preposition, no sentence of its own,
    /// in a sentence whose verb outside the quote is a subjunctive of reported speech.
    fn reported_phrase(&self, first: usize, after: usize, sentence: (usize, usize)) -> bool {
        if first <= sentence.0 || self.ends_sentence_inside(after) {
            return false;
        }
        // `eine „Eins zu Eins“-Begegnung`: part of a compound.
        if self.text[self.toks[after - 1].end..].starts_with('-') {
            return false;
        }
        let prev = self.t(first - 1);
        if !(is_determiner(prev) || in_list(prev, PREPOSITIONS)) {
            return false;
        }
        // Names are quoted so too (`der „Westdeutschen Allgemeinen Zeitung“`, `dem „Rat für
        // nationale Sicherheit“`): a name the recogniser knows, one that opens or ends with
        // the head of an organisation's or a work's name, or two words make no phrase.
        let inner = first + 1..after.saturating_sub(1);
        let mut words = inner
            .clone()
            .filter(|&k| self.toks[k].kind == Kind::Word)
            .map(|k| self.t(k));
        let (Some(head), Some(last)) = (words.next(), words.next_back()) else {
            return false;
        };
        let names = |w: &str| {
            let lower = w.to_lowercase();
            crate::lexicon::ORG_HEADS.contains(&w)
                || crate::lexicon::ORG_SUFFIXES
                    .iter()
                    .any(|s| lower.ends_with(s))
                || is_work_noun(&lower)
        };
        if words.next().is_none()
            || names(head)
            || names(last)
            || inner.clone().any(|k| {
                self.ent_at[k].is_some() || matches!(self.toks[k].kind, Kind::Url | Kind::Email)
            })
        {
            return false;
        }
        (sentence.0..sentence.1)
            .filter(|k| !(first..after).contains(k))
            .any(|k| in_list(self.t(k), SUBJUNCTIVES))
    }

    /// Whether the quote ending before token `after` ends in a final mark inside its
    /// closing mark (`„Wir kommen.“`), abbreviations or not (see
    /// [`Cx::ends_sentence_inside`]).
    fn final_mark_inside(&self, after: usize) -> bool {
        after >= 2 && matches!(self.t(after - 2), "." | "!" | "?" | "…" | "...")
    }

    /// The quote ending before token `after` ends with a final mark (`„Wir kommen.“`),
    /// not with the period of an abbreviation (`e.V.“`).
    fn ends_sentence_inside(&self, after: usize) -> bool {
        if after < 3 {
            return false;
        }
        match self.t(after - 2) {
            "!" | "?" | "…" => true,
            "." => {
                let prev = self.t(after - 3);
                prev.chars().count() > 1 && !crate::lexicon::ABBREVIATIONS.contains(&prev)
            }
            _ => false,
        }
    }

    /// The quote `first..after` is a term, a name or a translation rather than someone's
    /// words: a marker such as `Motto`, `namens`, `laut` right before it (or before a colon
    /// right before it: `(kurz: „Fed“)`), or parentheses around it (`(„gegossenes Blei“)`).
    fn term(&self, first: usize, after: usize) -> bool {
        if self.kind_after(after) && !self.ends_sentence_inside(after) {
            return true;
        }
        if first == 0 {
            return false;
        }
        let prev = self.t(first - 1);
        if in_list(prev, TERM_MARKERS) {
            return true;
        }
        // A work or a publication named after its kind (`des Magazins „auto, motor und
        // sport“`, `die Wochenzeitschrift „Jungle World“`, `der Website „icelandreview.com“`).
        if self.toks[first - 1].kind == Kind::Word && is_capitalized(prev) {
            let lower = prev.to_lowercase();
            if is_work_noun(&lower) {
                return true;
            }
        }
        // `Wie „heise online“ berichtet, …`: the source, not its words.
        if in_list(prev, &["wie"])
            && self
                .toks
                .get(after)
                .is_some_and(|t| is_speech_verb(t.text(self.text)))
        {
            return true;
        }
        if prev == ":" && first >= 2 && in_list(self.t(first - 2), TRANSLATION_MARKERS) {
            return true;
        }
        let sentence_inside = self.ends_sentence_inside(after);
        prev == "("
            && !sentence_inside
            && self
                .toks
                .get(after)
                .is_some_and(|t| t.text(self.text) == ")")
    }

    /// Whether a noun for a kind of work follows the quote ending before token `after`, as
    /// its apposition or predicate (`hat mit „Das Märchen der Märchen“ einen bilderstarken
    /// Film gedreht`, `„Oskar, Rico und Herzgebreche“ ist die Verfilmung …`): the quote is
    /// the work's name.
    fn kind_after(&self, after: usize) -> bool {
        let mut k = after;
        if self
            .toks
            .get(k)
            .is_some_and(|t| in_list(t.text(self.text), &["ist", "war", "wird"]))
        {
            k += 1;
        }
        if !self.toks.get(k).is_some_and(|t| {
            is_determiner(t.text(self.text)) || in_list(t.text(self.text), &["einen", "einem"])
        }) {
            return false;
        }
        for t in self.toks.iter().skip(k + 1).take(4) {
            let word = t.text(self.text);
            if t.kind != Kind::Word {
                return false;
            }
            if is_capitalized(word) {
                return is_work_noun(&word.to_lowercase());
            }
        }
        false
    }

    /// The quote `first..after` names a work after a colon (`stellte er die neue CD der
    /// Gruppe vor: „Have a nice day“`, `Den Namen der Sendung gab das ZDF bekannt: „…“`):
    /// a noun for a work or a name in the clause before the colon, and no final mark
    /// inside the quote, which a quoted sentence would have.
    fn work_after_colon(&self, first: usize, after: usize, sentence_start: usize) -> bool {
        if first <= sentence_start + 1
            || self.t(first - 1) != ":"
            || self.ends_sentence_inside(after)
        {
            return false;
        }
        let Some(w) = (first + 1..after).find(|&k| self.toks[k].kind == Kind::Word) else {
            return false;
        };
        if !is_capitalized(self.t(w)) {
            return false;
        }
        let clause = (first.saturating_sub(10).max(sentence_start)..first - 1)
            .rev()
            .take_while(|&k| self.t(k) != ",");
        // `sagte er in der Sendung: „…“` quotes someone, so does any verb of saying; not
        // one that says only with its particle (`gab … bekannt`, `stellte … vor`).
        let says = |t: &str| {
            is_lowercase(t)
                && says_or_names(t)
                && !in_list(
                    t,
                    &["gab", "gaben", "gibt", "stellte", "stellten", "stellt"],
                )
        };
        if clause.clone().any(|k| says(self.t(k))) {
            return false;
        }
        clause.into_iter().any(|k| {
            let t = self.t(k);
            if self.toks[k].kind != Kind::Word || !is_capitalized(t) {
                return false;
            }
            let lower = t.to_lowercase();
            in_list(t, WORK_NAMES) || WORKS.iter().any(|n| lower.ends_with(n))
        })
    }

    /// A capitalised quote that someone's words name something by (`nannte dies einen
    /// „Militärputsch“`, `bezeichnete die Pläne als „Wortbruch“`, `sprach von einer „Gefahr
    /// für Leib und Leben“`): right after `als` or an indefinite article, in a sentence with a
    /// verb of naming or saying, and no sentence of its own.
    fn naming_quote(&self, first: usize, after: usize, sentence: (usize, usize)) -> bool {
        if first == 0 || !in_list(self.t(first - 1), NAMING_OPENERS) {
            return false;
        }
        if self.ends_sentence_inside(after) {
            return false;
        }
        if (first + 1..after.saturating_sub(1))
            .any(|k| matches!(self.toks[k].kind, Kind::Url | Kind::Email))
        {
            return false;
        }
        (sentence.0..sentence.1)
            .filter(|k| !(first..after).contains(k))
            .any(|k| {
                let t = self.t(k);
                let naming = says_or_names(t);
                // A definition, not someone's words: `nennt sich`, `nennt man`, `als
                // „Sonnenwind“ bezeichnet wird`.
                let definition = |j: usize| {
                    self.toks.get(j).is_some_and(|n| {
                        in_list(
                            n.text(self.text),
                            &["sich", "man", "wird", "werden", "wurde"],
                        )
                    })
                };
                naming && !definition(k + 1) && !(k > 0 && definition(k - 1))
            })
    }

    /// A title or name in quote marks (`die „Partei der Volksmacht“`, `„Associated
    /// Press“`): a capitalised start, and a foreign function word inside or an article or
    /// noun right before it (`das Motto „Tabak: Tödlich in jeder Form“`, `die „Wikimedia
    /// Deutschland – Gesellschaft zur Förderung Freien Wissens e.V.“`), or a place in a list
    /// of such quotes (`„Der Fänger im Roggen“ von J.D. Salinger, „Die Früchte des Zorns“`).
    /// A quote that ends a sentence of its own (`…, mit den Worten „Wir kommen wieder.“`)
    /// or follows a noun of saying (`Worten`, `Parole`) is no title.
    fn title_like(&self, first: usize, after: usize, sentence_start: usize) -> bool {
        let inner = first + 1..after.saturating_sub(1);
        let Some(w) = inner.clone().find(|&k| self.toks[k].kind == Kind::Word) else {
            return true;
        };
        if !is_capitalized(self.t(w)) {
            return false;
        }
        // A final mark inside the quote makes it a sentence (`„Wir kommen.“`).
        if self.ends_sentence_inside(after) {
            return false;
        }
        let punctuated = inner.clone().any(|k| {
            self.toks[k].kind == Kind::Punct
                && matches!(self.t(k), "." | "," | "!" | "?" | ":" | ";" | "…")
        });
        // A comma may lead to the speaker (`„…“, sagte er`), not when a relative clause
        // follows (`„Piper at the Gates of Dawn“, das …`).
        let comma_after = self
            .toks
            .get(after)
            .is_some_and(|t| t.text(self.text) == ",")
            && !self.toks.get(after + 1).is_some_and(|t| {
                in_list(
                    t.text(self.text),
                    &[
                        "der", "die", "das", "dessen", "deren", "welcher", "welche", "welches",
                    ],
                )
            });
        if !punctuated
            && !comma_after
            && inner
                .clone()
                .any(|k| FOREIGN_FUNCTION_WORDS.contains(&self.t(k)))
        {
            return true;
        }
        if self.after_speech_noun(first) {
            return false;
        }
        if self.in_quote_list(first, after) {
            return true;
        }
        // A work and its author: `„Der Fänger im Roggen“ von J.D. Salinger`.
        if self
            .toks
            .get(after)
            .is_some_and(|t| t.text(self.text) == "von")
            && self
                .ent_at
                .get(after + 1)
                .copied()
                .flatten()
                .is_some_and(|n| self.ents[n].label == Label::Per)
        {
            return true;
        }
        if first == 0 || first <= sentence_start {
            return false;
        }
        let prev = self.t(first - 1);
        if in_list(prev, SPEECH_NOUNS) {
            return false;
        }
        // `die regierende „People's Power Party“`: an article and adjectives before it.
        let mut k = first - 1;
        while k > sentence_start && is_adjective_like(self.t(k)) {
            k -= 1;
        }
        if k < first - 1 && is_determiner(self.t(k)) {
            return true;
        }
        is_determiner(prev)
            || (self.toks[first - 1].kind == Kind::Word
                && is_capitalized(prev)
                && first - 1 > sentence_start
                && !is_speech_verb(prev))
    }

    /// The quote at `first` follows a noun of saying, right before it or before `wie` and
    /// the quotes listed before it (`mit der Parole „Wir erwarten euch“`, `skandierten
    /// Parolen wie „Stoppt den Überwachungswahn“ oder „…“`).
    fn after_speech_noun(&self, first: usize) -> bool {
        let mut k = first;
        // Back over the list items before this one and their joins.
        while k >= 2 && matches!(self.t(k - 1), "," | "und" | "oder") {
            let Some(open) = (k.saturating_sub(40)..k - 1)
                .rev()
                .find(|&j| matches!(self.t(j), "„" | "\"" | "»"))
            else {
                break;
            };
            k = open;
        }
        (k.saturating_sub(4)..k).any(|j| in_list(self.t(j), SPEECH_NOUNS))
    }

    /// The quote `first..after` is one item of a list of quotes (`„A“, „B“ oder „C“`).
    fn in_quote_list(&self, first: usize, after: usize) -> bool {
        let is_open = |k: usize| {
            self.toks
                .get(k)
                .is_some_and(|t| matches!(t.text(self.text), "„" | "\"" | "»" | "“"))
        };
        let is_close = |k: usize| {
            self.toks
                .get(k)
                .is_some_and(|t| matches!(t.text(self.text), "“" | "”" | "\"" | "«"))
        };
        let joins = |k: usize| {
            self.toks
                .get(k)
                .is_some_and(|t| matches!(t.text(self.text), "," | "und" | "oder" | "sowie"))
        };
        let next = joins(after) && is_open(after + 1);
        let prev = first >= 2 && joins(first - 1) && is_close(first - 2);
        next || prev
    }
}

/// The text of the quotation `(start, end)` inside its marks.
fn inner(text: &str, (start, end): (usize, usize)) -> &str {
    let quote = &text[start..end];
    let open = quote.chars().next().map_or(0, char::len_utf8);
    let close = quote.chars().next_back().map_or(0, char::len_utf8);
    quote
        .get(open..quote.len().saturating_sub(close))
        .unwrap_or("")
}

/// Finds the quotations and attributes speakers from the entities.
///
/// `min_words`: shorter quotes are kept only when attributed or partial quotes (see the
/// module docs). `sentences` are the half-open token ranges of the sentences.
pub fn find(
    text: &str,
    toks: &[Token],
    ents: &[Entity],
    sentences: &[(usize, usize)],
    min_words: usize,
) -> Vec<Quote> {
    let spans = spans(text);
    if spans.is_empty() || sentences.is_empty() {
        return Vec::new();
    }
    let mut ent_at: Vec<Option<usize>> = vec![None; toks.len()];
    for (n, e) in ents.iter().enumerate() {
        ent_at[e.first] = Some(n);
    }
    let cx = Cx {
        text,
        toks,
        ents,
        ent_at,
    };
    let sentence_of = |tok: usize| {
        sentences
            .partition_point(|s| s.1 <= tok)
            .min(sentences.len() - 1)
    };
    let mut out = Vec::with_capacity(spans.len());
    // Whether each quote of `out` took its speaker from the sentences before it only.
    let mut continued = Vec::with_capacity(spans.len());
    // Sentence of the last kept quote's end, and its speaker.
    let mut last: Option<(usize, Option<Who>)> = None;
    for &(start, end) in &spans {
        // Token indices: first token of the quote, first token after it.
        let first = toks.partition_point(|t| t.start < start);
        let after = toks.partition_point(|t| t.start < end);
        if first >= after {
            continue;
        }
        let words = toks[first..after]
            .iter()
            .filter(|t| t.kind == Kind::Word)
            .count();
        let si = sentence_of(first);
        let sentence = sentences[si];
        let title = cx.title_like(first, after, sentence.0);
        // A short name inside a noun phrase (`Bill Keller, der Chefredakteur der „New York
        // Times“, bekräftigt …`) is not attributed by the verb after it.
        let in_phrase = title
            && words < min_words
            && first > sentence.0
            && (is_determiner(cx.t(first - 1))
                || (toks[first - 1].kind == Kind::Word && is_capitalized(cx.t(first - 1))));
        // A quote opening its sentence whose every longer word is capitalised is a name
        // (`„Urban Change in Time“ zeigt Veränderungen …`): German sentences have verbs
        // and adjectives in lowercase.
        let opens_sentence = toks[sentence.0..first]
            .iter()
            .all(|t| t.kind == Kind::Punct);
        let name_cased = opens_sentence
            && toks[first..after]
                .iter()
                .filter(|t| t.kind == Kind::Word && t.text(text).chars().count() >= 4)
                .all(|t| is_capitalized(t.text(text)));
        let short = words < min_words || title || name_cased;
        // Such a quote opening its sentence, a word following it without a comma or a final
        // mark, is the subject of that word (`„Der Spiegel“ berichtete`), not a quote a
        // later verb attributes.
        let names_subject = short
            && opens_sentence
            && toks.get(after).is_some_and(|t| t.kind == Kind::Word)
            && !cx.final_mark_inside(after);
        let after_verb = if in_phrase {
            None
        } else {
            cx.speaker_after(first, after, short)
        };
        // `Der Vertreter Libyens nannte …`: a noun phrase opening the sentence before a verb
        // of saying is its subject, whoever else the sentence names.
        let opening = cx.opening_subject(sentence.0, first);
        let before = match opening {
            Some(np) => cx.described(np),
            None => cx.speaker_before(sentence.0, first),
        };
        let verb_after = after_verb.is_some();
        // A term, a name or a translation: `das Motto „…“`, `(kurz: „Fed“)`, `(„gegossenes
        // Blei“)`, `laut „tagesschau.de“`.
        if !verb_after && (cx.term(first, after) || cx.work_after_colon(first, after, sentence.0)) {
            continue;
        }
        // A speech verb right after the quote or a colon right before it.
        let attributed = verb_after || (first > 0 && toks[first - 1].text(text) == ":");
        // A verb of saying right after the quote with a subject no name answers (`…“,
        // schrieb die Hoover Institution`): that subject speaks, not a name earlier in the
        // sentence. Not a medium quoting someone (`zitiert Welt-Online den Minister`).
        let verb = after + usize::from(toks.get(after).is_some_and(|t| t.text(text) == ","));
        let explicit = (after_verb.as_ref().is_some_and(Option::is_none))
            .then(|| cx.described_speaker(first, after, sentence, names_subject))
            .flatten()
            .filter(|np| np.0 == verb + 1 && !cx.t(verb).starts_with("zitier"))
            // `zitiert den Prediger mit den Worten „…“`: the object speaks.
            .or_else(|| cx.quoted_object(sentence.0, first));
        let mut speaker = (cx.owner_of_words(sentence.0, first))
            .or_else(|| cx.named_with_laut(sentence.0, first))
            .or_else(|| cx.quoted_with_words(sentence.0, first))
            .or(after_verb.flatten())
            .or_else(|| {
                (!in_phrase)
                    .then(|| cx.inverted_speaker(first, after))
                    .flatten()
            })
            .or_else(|| {
                explicit.is_none().then(|| {
                    (cx.person_at_cue(sentence.0, first, after))
                        .or_else(|| cx.clause_subject(sentence.0, first))
                        .or_else(|| cx.source(sentence, first, after))
                        .or(before)
                })?
            })
            .or_else(|| {
                (opening.is_none() && !names_subject)
                    .then(|| cx.speaker_later(first, after, sentence.1))
                    .flatten()
            });
        let standalone = !verb_after && opens_sentence;
        // Indirect speech goes on from an earlier sentence (`Künast sagte, … . Es drohe „…“`),
        // also in the quote's own words when no colon introduces it (`Nordkoreas Politik der
        // „grenzenlosen nuklearen Aufrüstung sei mehr als gerechtfertigt“`). Not when a
        // description opens the sentence as the subject of a verb of saying (`Ein Sprecher
        // von Tesla teilte mit: „…“, hierzu wolle man …`).
        let reported = !standalone
            && speaker.is_none()
            && opening.is_none()
            && explicit.is_none()
            && (sentence.0..sentence.1)
                .filter(|k| !attributed || !(first..after).contains(k))
                .any(|k| in_list(cx.t(k), SUBJUNCTIVES));
        let continues = speaker.is_none() && (standalone || reported);
        if continues {
            // A quote of its own continues the quote of the sentence before, or of the one
            // before that when the sentence between names no one (`„…“, wird Panetta
            // zitiert. Die Entscheidung wolle er der NATO überlassen. „…“`).
            let names_someone = |k: usize| {
                let (a, b) = sentences[k];
                ents.iter()
                    .any(|e| e.label == Label::Per && e.first >= a && e.end <= b)
            };
            let mut reach = if !standalone || (si >= 1 && !names_someone(si - 1)) {
                2
            } else {
                1
            };
            // Reported speech that names no one goes on with the speaker before it (`„…“
            // Die Gefahr sei real. Aktuell bestehe sie nicht. „…“`).
            let same_paragraph = |k: usize| toks[sentences[k + 1].0].newlines_before < 2;
            let mut k = si;
            while k > 0 && same_paragraph(k - 1) && !names_someone(k - 1) {
                let (a, b) = sentences[k - 1];
                if !(a..b).any(|j| in_list(cx.t(j), SUBJUNCTIVES)) {
                    break;
                }
                k -= 1;
            }
            reach = reach.max(si - k + 1);
            // A person who is the subject of a sentence after the last quote's is named
            // more recently (`…, Christian Wulff (CDU), zu der Frage Stellung. Jeder
            // Pädagoge könne „…“`).
            let since = match &last {
                Some((s, _)) => s + 1,
                None => 0,
            };
            let mut k = si;
            while speaker.is_none() && k > since && si - k < reach && same_paragraph(k - 1) {
                k -= 1;
                let (a, b) = sentences[k];
                speaker = cx.sentence_subject(a, b).filter(|w| {
                    cx.ent_at[w.mention.0].is_some_and(|n| ents[n].label == Label::Per)
                });
            }
            if speaker.is_none() {
                speaker = match &last {
                    Some((s, Some(who))) if s + reach >= si => Some(who.clone()),
                    _ => None,
                };
            }
            // Else the subject of the sentences just before, in the same paragraph.
            let mut k = si;
            while speaker.is_none() && k > 0 && si - k < reach {
                if toks[sentences[k].0].newlines_before >= 2 {
                    break;
                }
                k -= 1;
                speaker = cx.sentence_subject(sentences[k].0, sentences[k].1);
            }
        }
        // A name repeats in quote marks (`„And Tango Makes Three“ ist ein Kinderbuch` after
        // `von „And Tango Makes Three“ der Autoren …`); words are quoted once, or with a
        // final mark when a lead repeats them, and a judgement of one word may well be
        // quoted again (`„Wortbruch“`).
        let repeated = || {
            let own = inner(text, (start, end));
            words >= 2
                && !cx.ends_sentence_inside(after)
                && spans
                    .iter()
                    .any(|&q| q != (start, end) && inner(text, q) == own)
        };
        let keep = (attributed || !repeated())
            && if words >= min_words {
                attributed
                    || !(title || name_cased)
                    || cx.naming_quote(first, after, sentence)
                    || cx.reported_phrase(first, after, sentence)
            } else {
                (attributed && speaker.is_some())
                    || cx.partial_quote(first, after, sentence)
                    || cx.reported_phrase(first, after, sentence)
                    || cx.naming_quote(first, after, sentence)
                    || cx.after_speech_noun(first)
            };
        if keep {
            let mention = match &speaker {
                Some(w) => Some(w.mention),
                None => (explicit.or(opening.filter(|_| !verb_after)))
                    .or_else(|| cx.role_before_colon(sentence.0, first))
                    .or_else(|| cx.subject_pronoun(sentence.0, first).map(|k| (k, k + 1)))
                    .or_else(|| cx.described_speaker(first, after, sentence, names_subject))
                    .or_else(|| {
                        // A quote that goes on from the sentence before: that sentence's subject.
                        let continues = (standalone || reported)
                            && si > 0
                            && toks[sentence.0].newlines_before < 2;
                        continues
                            .then(|| cx.described_subject(sentences[si - 1].0, sentences[si - 1].1))
                            .flatten()
                    }),
            };
            if speaker.is_none() {
                // A described role resolves to the person introduced with it (`In einer
                // Rede schwärmte der Machthaber …` after `Machthaber Kim Jong Un`), or
                // named with it right after, as news leads do.
                speaker = mention.and_then(|(a, b)| {
                    let name = (cx.introduced_with_role(a, b))
                        .or_else(|| cx.introduced_later_with_role(a, b))?;
                    Some(Who {
                        name,
                        mention: (a, b),
                    })
                });
            }
            if speaker.is_none() {
                speaker = mention.and_then(|m| cx.entity_in(m));
            }
            last = Some((sentence_of(after - 1), speaker.clone()));
            let speaker_mention = mention.map(|(a, b)| (toks[a].start, toks[b - 1].end));
            continued.push(continues);
            out.push(Quote {
                start,
                end,
                speaker: speaker.map(|w| w.name),
                speaker_mention,
            });
        }
    }
    speakers_of_repeated_quotes(text, &mut out, &continued);
    out
}

/// Words a quote needs before a later or earlier quote containing it lends it its speaker.
const REPEATED_MIN_WORDS: usize = 4;

/// A quote that no rule attributed, or that only `continued` the speaker of the sentences
/// before it, takes the speaker and mention of a quote the document attributes in its own
/// sentence and that repeats its words: headlines and leads quote words that the article
/// attributes where it quotes them in full (`„Ich komme mit ihm aus, er kommt mit mir
/// aus“` as a subheading, then `„Ich komme mit ihm aus, er kommt mit mir aus. Und das ist
/// eine gute Sache“, sagte Trump`).
fn speakers_of_repeated_quotes(text: &str, quotes: &mut [Quote], continued: &[bool]) {
    let words: Vec<&str> = quotes
        .iter()
        .map(|q| {
            inner(text, (q.start, q.end))
                .trim_end_matches(|c: char| {
                    c.is_whitespace() || matches!(c, '.' | ',' | '!' | '?' | '…')
                })
                .trim()
        })
        .collect();
    for i in 0..quotes.len() {
        if quotes[i].speaker.is_some() && !continued[i] {
            continue;
        }
        let own = words[i];
        if own.split_whitespace().count() < REPEATED_MIN_WORDS {
            continue;
        }
        // The fuller quote is the one in the article's text, whose speaker counts even when
        // it goes on from the sentence before.
        let source = (0..quotes.len()).find(|&j| {
            j != i
                && quotes[j].speaker.is_some()
                && words[j].contains(own)
                && (!continued[j] || words[j].len() > own.len())
        });
        if let Some(j) = source {
            quotes[i].speaker = quotes[j].speaker.clone();
            quotes[i].speaker_mention = quotes[j].speaker_mention;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entities::Recognizer;
    use crate::sentences;
    use crate::tokenize::tokenize;

    /// [`spans`] as it was, decoding every character.
    fn spans_by_chars(text: &str) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        // Opening offset, style and how many nested quotes are open inside.
        let mut open: Option<(usize, Style, u32)> = None;
        let mut prev: Option<char> = None;
        let mut iter = text.char_indices().peekable();
        while let Some((i, c)) = iter.next() {
            let next = iter.peek().map(|&(_, n)| n);
            let next_is_text = next.is_some_and(|n| !n.is_whitespace());
            match open {
                Some((start, style, depth)) => {
                    if c == '\n' && next == Some('\n') {
                        open = None; // Unclosed at a paragraph break.
                    } else if style.nests(c) && next_is_text {
                        open = Some((start, style, depth + 1));
                    } else if style.closes(c) {
                        if depth == 0 {
                            out.push((start, i + c.len_utf8()));
                            open = None;
                        } else {
                            open = Some((start, style, depth - 1));
                        }
                    }
                }
                None => {
                    let prev_is_gap = is_gap(prev);
                    let style = match c {
                        '„' if next_is_text => Some(Style::Low),
                        '»' if next_is_text => Some(Style::Guillemets),
                        '«' if next_is_text && prev_is_gap => Some(Style::SwissGuillemets),
                        '"' if next_is_text && prev_is_gap => Some(Style::Straight),
                        '“' if next_is_text && prev_is_gap => Some(Style::English),
                        _ => None,
                    };
                    if let Some(style) = style {
                        open = Some((i, style, 0));
                    }
                }
            }
            prev = Some(c);
        }
        out
    }

    #[test]
    fn quote_spans_found_by_lead_bytes_are_those_found_by_chars() {
        let parts = [
            "„", "“", "”", "\"", "»", "«", "‚", "‘", "’", " ", "\n", "\n\n", "(", "-", "–", ":",
            "a", "Wort", "ä", "ß", "é", "中", "€", "\u{a0}", ".",
        ];
        for text in crate::test_texts::random_texts(&parts, 50_000, 16, 0x9e37_79b9_7f4a_7c15) {
            assert_eq!(spans(&text), spans_by_chars(&text), "{text:?}");
        }
    }

    #[test]
    fn in_list_agrees_with_comparing_every_word() {
        let lists = [
            SPEECH_VERBS,
            DETERMINERS,
            PREPOSITIONS,
            TERM_MARKERS,
            &["kann", "ärger", "ıx", "i\u{307}x", ""][..],
        ];
        let mut words: Vec<String> = vec![
            String::new(),
            "\u{212A}ann".into(), // KELVIN SIGN lowercases to `k`.
            "İx".into(),          // Lowercases to two characters.
            "Ärger".into(),
            "ÄRGER".into(),
            "x".into(),
        ];
        for list in lists {
            for w in list {
                let mut cs = w.chars();
                if let Some(c) = cs.next() {
                    let rest = cs.as_str();
                    words.push(c.to_uppercase().chain(rest.chars()).collect());
                    words.push(format!("{}{rest}x", c.to_uppercase()));
                    words.push(rest.to_owned());
                }
                words.push((*w).to_owned());
                words.push(w.to_uppercase());
            }
        }
        for list in lists {
            for w in &words {
                let brute = list.iter().any(|l| eq_fold_first(w, l));
                assert_eq!(in_list(w, list), brute, "{w:?}");
            }
        }
    }

    fn quotes(text: &str) -> Vec<(String, Option<String>)> {
        mentions(text)
            .into_iter()
            .map(|(quote, speaker, _)| (quote, speaker))
            .collect()
    }

    /// Each quote with its speaker's canonical name and the words that name the speaker.
    fn mentions(text: &str) -> Vec<(String, Option<String>, Option<&str>)> {
        let mut toks = Vec::new();
        tokenize(text, &mut toks);
        let sents = sentences::split(text, &toks, true);
        let ents = Recognizer::new().find(text, &toks, &sents);
        find(text, &toks, &ents, &sents, 4)
            .into_iter()
            .map(|q| {
                (
                    text[q.start..q.end].to_owned(),
                    q.speaker,
                    q.speaker_mention.map(|(a, b)| &text[a..b]),
                )
            })
            .collect()
    }

    #[test]
    fn the_mention_is_where_the_speaker_is_named() {
        let text = "Machthaber Kim Jong Un sprach vor dem Parlament. „Dann gibt es keinen Grund, warum wir nicht nachkommen sollten\", erklärte der nordkoreanische Führer. Er sagte: „Wir bleiben stark und werden nicht aufgeben.“";
        let all = mentions(text);
        assert_eq!(all.len(), 2, "{all:?}");
        assert_eq!(all[0].1.as_deref(), Some("Kim Jong Un"));
        assert_eq!(all[0].2, Some("der nordkoreanische Führer"));
        assert_eq!(all[1].1.as_deref(), Some("Kim Jong Un"));
        assert_eq!(all[1].2, Some("Er"));
        let text = "„Es herrscht keine große Einigkeit“, so China-Experte Christian Wirth.";
        assert_eq!(mentions(text)[0].2, Some("Christian Wirth"));
        let text = "„Wir haben die Lage im Griff und bleiben ruhig“, sagte ein Sprecher des Finanzministeriums.";
        let all = mentions(text);
        assert_eq!(all[0].1.as_deref(), Some("Finanzministerium"));
        assert_eq!(all[0].2, Some("ein Sprecher des Finanzministeriums"));
    }

    #[test]
    fn a_speaker_no_entity_resolves_is_described() {
        // No name anywhere: the canonical speaker stays unknown, the description is given.
        let cases = [
            (
                "„Dann gibt es keinen Grund, warum wir nicht nachkommen sollten\", erklärte der nordkoreanische Führer.",
                "der nordkoreanische Führer",
            ),
            (
                "Ein Polizeisprecher gab an, dass „bis zur Tat keine Kenntnis von dem Haftbefehl“ vorhanden gewesen sei.",
                "Ein Polizeisprecher",
            ),
            (
                "„Der Rundfunk übte Toleranz gegenüber den Feinden der Toleranz“, meint die 56-jährige Rechtsanwaltsfachangestellte.",
                "die 56-jährige Rechtsanwaltsfachangestellte",
            ),
            (
                "Das Buch ist laut einem Jury-Mitglied eine „kluge und komische Geschichte über das Nicht-Überleben“.",
                "einem Jury-Mitglied",
            ),
            (
                "Die Menschenmenge skandierte vor einem großen Einkaufszentrum Parolen wie „Thaksin raus!“ und zog weiter.",
                "Die Menschenmenge",
            ),
            (
                "In einem Gespräch mit dem Minister wies der Geschäftsführer alle Vorwürfe als „völlig haltlos und falsch“ zurück.",
                "der Geschäftsführer",
            ),
            (
                "Der BGH widersprach der Ansicht. „Hier werden zwar Vietnamesen auf unflätigste Weise angegriffen“, allerdings sei das keine Aufforderung.",
                "Der BGH",
            ),
        ];
        for (text, said) in cases {
            let all = mentions(text);
            assert_eq!(all.len(), 1, "{text}: {all:?}");
            assert_eq!(all[0].1, None, "{text}");
            assert_eq!(all[0].2, Some(said), "{text}");
        }
    }

    #[test]
    fn subjects_sources_and_pronouns_name_the_speaker() {
        // (text, the quote's first words, speaker, mention)
        let cases = [
            (
                "Die Abgeordnete Petra Lang kritisierte die Regierung. Sie warf dem Minister Hans Berger vor, „die Öffentlichkeit bewusst getäuscht zu haben“.",
                Some("Petra Lang"),
                Some("Sie"),
            ),
            (
                "Bürgermeister Thomas Krüger war empört. In einem Interview mit der ARD erklärte er: „Wir werden die Entscheidung nicht hinnehmen und klagen.“",
                Some("Thomas Krüger"),
                Some("er"),
            ),
            (
                "Einer der beteiligten Feuerwehrleute sagte: „So etwas habe ich in zwanzig Jahren nicht erlebt.“",
                None,
                Some("Einer der beteiligten Feuerwehrleute"),
            ),
            (
                "So heißt es in der Mitteilung wörtlich: „Die Preise steigen ab dem ersten Januar um zehn Prozent.“",
                None,
                Some("der Mitteilung"),
            ),
            (
                "Die Anwohner berichteten, der Lärm sei „kaum noch zu ertragen gewesen in den letzten Nächten“.",
                None,
                Some("Die Anwohner"),
            ),
            (
                "Der Vertreter der Gemeinde nannte die Entscheidung einen „schweren Fehler mit langen Folgen für alle“ und verließ den Saal.",
                None,
                Some("Der Vertreter der Gemeinde"),
            ),
            (
                "Augenzeugen schilderten die Lage so: „Überall lag Glas auf der Straße und niemand half.“",
                None,
                Some("Augenzeugen"),
            ),
            (
                "Dazu hieß es nur knapp: „Zu laufenden Verfahren äußern wir uns grundsätzlich nicht.“",
                None,
                None,
            ),
            (
                "Als „historischen Fehler mit Folgen“ bezeichnet die Vorsitzende des Vereins den Beschluss.",
                None,
                Some("die Vorsitzende des Vereins"),
            ),
            (
                "„Wozu braucht es diese Behörde überhaupt noch?“ fragen sich Experten.",
                None,
                Some("Experten"),
            ),
            (
                "Bei dem Treffen mit dem japanischen Premierminister Shigeru Ishiba betonte US-Präsident Donald Trump seine guten Beziehungen und sagte, dass „es für alle ein großer Vorteil ist“.",
                Some("Donald Trump"),
                Some("Donald Trump"),
            ),
            (
                "Nach dem Gespräch zum nordkoreanischen Machthaber Kim Jong Un befragt, sagte Außenministerin Anna Berg, „man bleibe im Gespräch“.",
                Some("Anna Berg"),
                Some("Anna Berg"),
            ),
            (
                "„Auf ihr Parteibuch reduziert man sie nicht“, so der Chef des Verwaltungsrats Ulrich Müller.",
                Some("Ulrich Müller"),
                Some("Ulrich Müller"),
            ),
        ];
        for (text, speaker, said) in cases {
            let all = mentions(text);
            assert_eq!(all.len(), 1, "{text}: {all:?}");
            assert_eq!(all[0].1.as_deref(), speaker, "{text}");
            assert_eq!(all[0].2, said, "{text}");
        }
    }

    /// Each case: (text, the last quote's speaker, its mention).
    fn assert_last(cases: &[(&str, Option<&str>, Option<&str>)]) {
        for &(text, speaker, said) in cases {
            let all = mentions(text);
            let last = all.last().unwrap_or_else(|| panic!("{text}: no quote"));
            assert_eq!(
                (last.1.as_deref(), last.2),
                (speaker, said),
                "{text}: {all:?}"
            );
        }
    }

    #[test]
    fn a_name_cased_quote_opening_its_sentence_is_the_subject_not_a_quote() {
        // Every longer word capitalised, and a verb right after it: the name of a project.
        let text = "„Urban Change in Time“ zeigt Veränderungen in und um Wien seit 1870. Das urbane Wachstum findet Burcu Akinci faszinierend.";
        assert_eq!(quotes(text), Vec::new());
        // A sentence in quote marks has words in lowercase, and is a quote.
        let text = "„Wir haben gewonnen“, sagte Anna Müller am Abend.";
        assert_eq!(quotes(text)[0].1.as_deref(), Some("Anna Müller"));
    }

    #[test]
    fn a_run_of_final_marks_ends_the_search_for_a_subject() {
        let text =
            "„Das ist nicht das Ende der Geschichte“, hieß es gestern.. Anna Müller kam später.";
        assert_eq!(quotes(text)[0].1, None);
    }

    #[test]
    fn the_subject_naming_something_als_a_quote_is_the_mention() {
        let text =
            "Zu erwarten, dass Nordkorea das, was US-Beamte als „vollständige, überprüfbare \
                    und unumkehrbare Denuklearisierung“ seines Atomprogramms bezeichnen, umsetzt, \
                    ist aussichtslos.";
        assert_eq!(mentions(text)[0].2, Some("US-Beamte"));
        // Without a verb of naming after it, the quote is no one's name for something.
        let text =
            "Zu erwarten, dass Nordkorea das, was US-Beamte als „vollständige, überprüfbare \
                    und unumkehrbare Denuklearisierung“ seines Atomprogramms planen, umsetzt, \
                    ist aussichtslos.";
        assert_eq!(mentions(text).first().and_then(|q| q.2), None);
    }

    #[test]
    fn the_owner_of_words_speaks_them_rather_than_who_reports_them() {
        assert_last(&[
            (
                "US-Präsident Donald Trump war in Seoul. Der südkoreanische Außenminister Cho Hyun sagte am Dienstag, dass Trumps Bezeichnung Nordkoreas als „Atommacht“ ein Anreiz sein könne.",
                Some("Donald Trump"),
                Some("Trumps"),
            ),
            // Without an owner, the one who says the sentence speaks.
            (
                "Der südkoreanische Außenminister Cho Hyun sagte am Dienstag, dass die Bezeichnung Nordkoreas als „Atommacht“ ein Anreiz sein könne.",
                Some("Cho Hyun"),
                Some("Cho Hyun"),
            ),
        ]);
    }

    #[test]
    fn a_report_speaks_for_the_source_named_after_it_with_von() {
        assert_last(&[
            (
                "Am Freitag hieß es in einer Meldung von KCNA, das Programm sei keine Verhandlungsmasse, sondern diene „dem Kampfeinsatz gegen feindliche Aggressoren“.",
                Some("KCNA"),
                Some("einer Meldung von KCNA"),
            ),
            // Without `von`, the report alone is the mention, and no one speaks.
            (
                "Am Freitag hieß es in einer Meldung, das Programm sei keine Verhandlungsmasse, sondern diene „dem Kampfeinsatz gegen feindliche Aggressoren“.",
                None,
                Some("einer Meldung"),
            ),
        ]);
    }

    #[test]
    fn reported_speech_in_the_quotes_own_words_goes_on_with_the_speaker() {
        let text = "Am Freitag hieß es in einer Meldung von KCNA, das Programm diene „dem Kampfeinsatz gegen feindliche Aggressoren“. Nordkoreas Politik der „grenzenlosen nuklearen Aufrüstung sei mehr als gerechtfertigt“.";
        let all = quotes(text);
        assert_eq!(all.len(), 2, "{all:?}");
        assert_eq!(all[1].1.as_deref(), Some("KCNA"), "{all:?}");
        // Introduced by a colon, the quote is someone's own words, however they are put.
        let text = "Der Sänger Paul Meier ist in Sofia aufgetreten. Ein Hauptkommissar nach der Festnahme: „Die Leute hätten gemacht, was sie wollten, und niemand hätte sie gehindert.“";
        let all = mentions(text);
        assert_eq!(all.last().map(|q| q.1.clone()), Some(None), "{all:?}");
    }

    #[test]
    fn a_quote_repeated_in_full_later_takes_its_speaker() {
        let text = "KCNA erklärte, das Programm diene „dem Kampfeinsatz gegen feindliche Aggressoren“. KCNA gilt als Sprachrohr der Führung.\n\n„Ich komme mit ihm aus, er kommt mit mir aus“\n\nKurz zuvor hatte US-Präsident Donald Trump sein Verhältnis zu Kim gelobt: „Wir werden Beziehungen zu Nordkorea haben“, sagte der Republikaner. „Ich komme mit ihm aus, er kommt mit mir aus. Und das ist eine gute Sache.“";
        let all = mentions(text);
        let heading = all
            .iter()
            .find(|q| q.0 == "„Ich komme mit ihm aus, er kommt mit mir aus“")
            .unwrap_or_else(|| panic!("{all:?}"));
        assert_eq!(heading.1.as_deref(), Some("Donald Trump"), "{all:?}");
        assert_eq!(heading.2, Some("der Republikaner"), "{all:?}");
        // Fewer than four words are not taken for the same words.
        let text = "„Gute Sache“\n\nTrump sagte: „Das ist eine gute Sache, und wir machen weiter.“";
        let all = mentions(text);
        assert_eq!(all.first().map(|q| q.1.clone()), Some(None), "{all:?}");
    }

    #[test]
    fn a_source_speaks_in_a_sentence_without_a_verb_of_saying() {
        assert_last(&[
            (
                "Laut Berliner Polizei ist die Demonstration, zu der ein Bündnis von 167 Organisationen aufgerufen hatte, „weitgehend störungsfrei“ verlaufen.",
                Some("Polizei"),
                Some("Berliner Polizei"),
            ),
            (
                "Dies wurde laut Gericht im Zuge der Beweisaufnahme klar, ebenso wie bemerkenswerte „manipulative Fähigkeiten“ des Angeklagten.",
                Some("Gericht"),
                Some("Gericht"),
            ),
            (
                "Nach Angaben einer Bauerngewerkschaft sollen „fünf bis sechs Farmen“ gestürmt worden sein.",
                Some("Bauerngewerkschaft"),
                Some("Angaben einer Bauerngewerkschaft"),
            ),
            // A verb of saying names the speaker itself.
            (
                "Die Kanzlerin Angela Merkel sagte laut Polizei: „Wir werden das alles genau prüfen lassen.“",
                Some("Angela Merkel"),
                Some("Angela Merkel"),
            ),
        ]);
    }

    #[test]
    fn the_subject_after_a_quote_and_a_verb_speaks() {
        assert_last(&[
            (
                "Der Staat ist ländlich geprägt. „Ich trete an als ein konservativer Republikaner“, strich Mitt Romney in Arbutus heraus.",
                Some("Mitt Romney"),
                Some("Mitt Romney"),
            ),
            (
                "„Wozu braucht es diese Behörde?“, wollen die Experten der Opposition wissen.",
                None,
                Some("die Experten der Opposition"),
            ),
        ]);
        // A conjunction is no verb.
        let text = "„Wir kommen morgen wieder zurück“, damit die Demonstranten es hören.";
        assert_eq!(mentions(text)[0].2, None);
    }

    #[test]
    fn reported_speech_goes_on_with_the_speaker_named_last() {
        assert_last(&[
            // The subject of the sentence before is named after the last quote.
            (
                "„Wir bleiben bei unserer Linie“, sagte Manfred Busch. Im Landtag nahm auch der Ministerpräsident, Christian Wulff, zu der Frage Stellung. Jeder Lehrer könne „das Konto jetzt einlösen, er kann es später einlösen“.",
                Some("Christian Wulff"),
                Some("Christian Wulff"),
            ),
            // Sentences of reported speech that name no one lead back to the last quote.
            (
                "„Das Virus breitet sich weiter aus“, sagte Klaus Stöhr. Die Gefahr einer Pandemie sei real. Aktuell bestehe diese Gefahr noch nicht, weil das Virus nicht übertragbar sei. „Aber das Virus hat alle Potenzen, eine Pandemie hervorzurufen.“",
                Some("Klaus Stöhr"),
                Some("Klaus Stöhr"),
            ),
        ]);
    }

    #[test]
    fn the_person_opening_the_quotes_clause_speaks() {
        assert_last(&[(
            "Miroslav Klose nannte seinen Platzverweis „überzogen“, Bundestrainer Joachim Löw bezeichnete acht Gelbe Karten in einem Spiel, in dem es nur 26 Fouls gab, als „übertrieben“.",
            Some("Joachim Löw"),
            Some("Joachim Löw"),
        )]);
    }

    #[test]
    fn a_described_subject_is_not_continued_from_earlier_speech() {
        assert_last(&[(
            "„Wir zahlen gut“, sagte Patrick Georg. Ein Sprecher von Tesla teilte mit: „jeder bei Tesla wird über dem Branchenniveau bezahlt“, hierzu wolle man auch Aktien ausgeben.",
            None,
            Some("Ein Sprecher von Tesla"),
        )]);
    }

    #[test]
    fn a_subject_that_cannot_speak_is_no_speaker() {
        let text =
            "Die Geheimklauseln aus dem Dokument seien „alarmierend und ganz und gar unannehmbar“.";
        let all = mentions(text);
        assert_eq!(all.len(), 1, "{all:?}");
        assert_eq!((all[0].1.as_deref(), all[0].2), (None, None));
    }

    #[test]
    fn every_quote_style() {
        for (open, close) in [
            ("„", "“"),
            ("„", "”"),
            ("„", "\""),
            ("\"", "\""),
            ("»", "«"),
            ("«", "»"),
            ("“", "”"),
        ] {
            let q = format!("{open}Wir kommen morgen wieder zurück{close}");
            let text = format!("Er sagte: {q} Dann ging er.");
            let all = quotes(&text);
            assert_eq!(all.len(), 1, "{text}: {all:?}");
            assert_eq!(all[0].0, q);
        }
    }

    #[test]
    fn speaker_after_the_quote() {
        let text =
            "Präsident Kim Jong Un sprach. \"Die Welt weiß sehr gut, was die USA tun\", sagte Kim.";
        assert_eq!(quotes(text)[0].1.as_deref(), Some("Kim Jong Un"));
        let text = "„Es herrscht keine große Einigkeit“, so China-Experte Christian Wirth.";
        assert_eq!(quotes(text)[0].1.as_deref(), Some("Christian Wirth"));
    }

    #[test]
    fn speaker_without_name_is_unknown() {
        let text = "„Dann gibt es keinen Grund, warum wir nicht nachkommen sollten\", erklärte der nordkoreanische Führer.";
        let all = quotes(text);
        assert_eq!(all.len(), 1);
        assert_eq!(all[0].1, None);
    }

    #[test]
    fn role_descriptions_and_pronouns_refer_to_the_last_person() {
        let text = "Machthaber Kim Jong Un sprach vor dem Parlament. „Dann gibt es keinen Grund, warum wir nicht nachkommen sollten\", erklärte der nordkoreanische Führer. Er sagte: „Wir bleiben stark und werden nicht aufgeben.“";
        let all = quotes(text);
        assert_eq!(all.len(), 2, "{all:?}");
        assert_eq!(all[0].1.as_deref(), Some("Kim Jong Un"));
        assert_eq!(all[1].1.as_deref(), Some("Kim Jong Un"));
    }

    #[test]
    fn the_next_sentence_may_attribute_a_quote_with_das_and_a_speech_verb() {
        let text = "Der Haushalt ist knapp.\n\n„Wir werden sparen müssen.“ Das sagte \
                    Bundesfinanzminister Peer Steinbrück am Dienstag.";
        assert_eq!(quotes(text)[0].1.as_deref(), Some("Peer Steinbrück"));
        // `Das` without a speech verb attributes nothing.
        let text = "Der Haushalt ist knapp.\n\n„Wir werden sparen müssen.“ Das Parlament \
                    stimmte zu.";
        assert_eq!(quotes(text)[0].1.as_deref(), None);
        // With a modal and the verb of saying at the end, the final mark after the quote.
        let text = "Der Haushalt ist knapp.\n\n„Ja, es gibt Zumutungen“. Das musste \
                    Bundesfinanzminister Peer Steinbrück zu Beginn der Debatte einräumen.";
        assert_eq!(quotes(text)[0].1.as_deref(), Some("Peer Steinbrück"));
        // Without it, no one.
        let text = "Der Haushalt ist knapp.\n\n„Ja, es gibt Zumutungen“. Das musste \
                    Bundesfinanzminister Peer Steinbrück zu Beginn der Debatte hinnehmen.";
        assert_eq!(quotes(text)[0].1.as_deref(), None);
    }

    #[test]
    fn laut_names_the_person_right_before_the_quote() {
        let text = "Die Klinik ist zufrieden. Man könne damit laut Klinikdirektor Prof. Dr. \
                    Matthias W. Beckmann „jetzt Paaren helfen“, heißt es.";
        assert_eq!(quotes(text)[0].1.as_deref(), Some("Matthias W. Beckmann"));
    }

    #[test]
    fn speaker_before_a_colon() {
        let text = "US-Präsident Donald Trump sagte: „Ich würde mich freuen, ihn zu sehen.“";
        assert_eq!(quotes(text)[0].1.as_deref(), Some("Donald Trump"));
    }

    #[test]
    fn a_role_of_another_country_is_someone_else() {
        let text = "Präsident Ricardo Alves aus Brasilien traf am Montag den venezolanischen Präsidenten Hugo Chávez in Caracas. Der brasilianische Präsident sagte: „Wir arbeiten eng zusammen.“ Der venezolanische Präsident sagte: „Wir sind Partner.“";
        let all = mentions(text);
        let speakers: Vec<Option<&str>> = all.iter().map(|m| m.1.as_deref()).collect();
        assert_eq!(
            speakers,
            [Some("Ricardo Alves"), Some("Hugo Chávez")],
            "{all:?}"
        );
    }

    #[test]
    fn the_person_right_before_the_colon_speaks() {
        let text = "Innenministerin Petra Keller (CDU) wies die Kritik zurück, der Sprecher der Fraktion, Jonas Weber (SPD), erklärte: „Diese Debatte schadet allen Beteiligten.“";
        assert_eq!(quotes(text)[0].1.as_deref(), Some("Jonas Weber"));
        let text = "Viele gratulierten Angela Merkel, darunter der Bürgermeister Klaus Wowereit: „Das hat sie sich wirklich verdient.“";
        assert_eq!(quotes(text)[0].1.as_deref(), Some("Klaus Wowereit"));
        let text = "Viele gratulierten Angela Merkel, so auch Klaus Wowereit („Niemand hat das mehr verdient.“) und andere.";
        assert_eq!(quotes(text)[0].1.as_deref(), Some("Klaus Wowereit"));
    }

    #[test]
    fn a_description_names_the_organisation_in_it() {
        let text = "Rente: Die SPD hält an der Reform fest. „Wir wollen eine Rente, auf die man sich verlassen kann.“";
        assert_eq!(quotes(text)[0].1.as_deref(), Some("SPD"));
    }

    #[test]
    fn a_work_named_after_a_colon_is_no_quote() {
        assert!(quotes(
            "Am Abend stellte er die neue CD der Band vor: „Tage wie diese und andere“."
        )
        .is_empty());
        assert!(quotes(
            "Den Titel der Sendung gab der Sender bekannt: „Ein Papst und seine Zeit“."
        )
        .is_empty());
        let said = quotes("Der Kanzler sagte in der Sendung: „Wir werden das nicht zulassen“.");
        assert_eq!(said.len(), 1, "{said:?}");
    }

    #[test]
    fn a_name_repeated_in_quote_marks_is_no_quote() {
        let text = "Die Liste führt „Ein Pinguin kommt selten allein“ der Autorin Anna Berg an. „Ein Pinguin kommt selten allein“ ist ein Kinderbuch.";
        assert!(quotes(text).is_empty(), "{:?}", quotes(text));
        let text = "„Wir bleiben hier und kämpfen weiter.“ Das rief der Redner. Er wiederholte: „Wir bleiben hier und kämpfen weiter.“";
        assert_eq!(quotes(text).len(), 2);
    }

    #[test]
    fn a_noun_phrase_quoted_in_reported_speech_is_a_quote() {
        let text = "Trotz der Mehreinnahmen sei man von einer „Entschuldung weit entfernt“.";
        assert_eq!(quotes(text).len(), 1, "{:?}", quotes(text));
        let text = "Es gebe für die „Feinde der Freiheit“ keine Toleranz.";
        assert_eq!(quotes(text).len(), 1, "{:?}", quotes(text));
        // Names are no phrases.
        assert!(quotes("Er habe mit dem „Rat für nationale Sicherheit“ gesprochen.").is_empty());
        assert!(quotes("Er habe es der „Westfälischen Allgemeinen Zeitung“ gesagt.").is_empty());
        assert!(quotes("Es sei an eine „Eins zu Eins“-Begegnung nicht gedacht.").is_empty());
    }

    #[test]
    fn a_foreign_title_before_a_relative_clause_is_no_quote() {
        let text = "Bekannt wurde das erste Album der Band, „Songs of the Lonely Road“, das fast ganz von ihm stammt.";
        assert!(quotes(text).is_empty(), "{:?}", quotes(text));
    }

    #[test]
    fn scare_quotes_are_skipped_unless_attributed() {
        assert!(quotes("eine Politik der „strategischen Geduld“ war das.").is_empty());
        let all = quotes("Präsident Trump lobte Kim. „Großartig“, sagte Trump.");
        assert_eq!(all.len(), 1);
        assert_eq!(all[0].1.as_deref(), Some("Trump"));
    }

    #[test]
    fn quotes_do_not_cross_paragraphs() {
        assert!(spans("„Offen ohne Ende\n\nNeuer Absatz.").is_empty());
    }
    #[test]
    fn nested_quotes_stay_inside_the_outer_one() {
        let text = "Er sagte: „Wir haben „Small Business“ in der Phase gehabt.“ Ende.";
        let all = spans(text);
        assert_eq!(all.len(), 1);
        assert_eq!(
            &text[all[0].0..all[0].1],
            "„Wir haben „Small Business“ in der Phase gehabt.“"
        );
    }

    #[test]
    fn partial_quotes_in_reported_speech() {
        let all = quotes("Angela Merkel nannte den Plan „völlig unrealistisch“.");
        assert_eq!(all.len(), 1, "{all:?}");
        assert_eq!(all[0].0, "„völlig unrealistisch“");
        assert_eq!(all[0].1.as_deref(), Some("Angela Merkel"));
        let all = quotes("Der Rücktritt sei ein „natürlicher Vorgang“.");
        assert_eq!(all.len(), 1, "{all:?}");
    }

    #[test]
    fn terms_titles_and_names_are_not_quotes() {
        assert!(quotes("Die Regierung sprach von so genannten „weißen Flecken“.").is_empty());
        assert!(quotes("Sie las im Urlaub das Buch „Die Früchte des Zorns“ zu Ende.").is_empty());
        assert!(
            quotes("Dort protestierte die „People's Alliance for Democracy“ lange.").is_empty()
        );
        assert!(quotes("Der „Spiegel“ berichtete über den Fall.").is_empty());
        assert!(quotes("„Der Spiegel“ berichtete über den Fall.").is_empty());
    }

    #[test]
    fn speaker_in_an_apposition_after_the_role() {
        let text = "„Die Zuschauer müssen noch lange warten“, sagte der Vorsitzende des \
                    Verbandes, Elmar Gesse.";
        assert_eq!(quotes(text)[0].1.as_deref(), Some("Elmar Gesse"));
    }

    #[test]
    fn names_after_a_preposition_do_not_speak() {
        let text =
            "Über Steve Fossett sagte Richard Branson: „Steve muss mit Turbulenzen rechnen.“";
        assert_eq!(quotes(text)[0].1.as_deref(), Some("Richard Branson"));
    }

    #[test]
    fn auxiliary_with_participle_and_wie_attribute() {
        let text = "„Wir werden das schon schaffen“, hatte Angela Merkel gesagt.";
        assert_eq!(quotes(text)[0].1.as_deref(), Some("Angela Merkel"));
        let text = "„Wir bleiben noch lange hier“, wird Leon Panetta zitiert.";
        assert_eq!(quotes(text)[0].1.as_deref(), Some("Leon Panetta"));
        let text = "Er gab jedem Geld, „um uns zu vergnügen, was wir auch taten“, wie Robert \
                    Hoyzer zitiert wird.";
        assert_eq!(quotes(text)[0].1.as_deref(), Some("Robert Hoyzer"));
    }

    #[test]
    fn a_role_refers_to_the_person_introduced_with_it() {
        let text = "Bundespräsident Horst Köhler traf Angela Merkel. Der Bundespräsident sagte: \
                    „Wir brauchen mehr Reformen im Land.“";
        assert_eq!(quotes(text)[0].1.as_deref(), Some("Horst Köhler"));
        let text = "Angela Merkel, die Kanzlerin, traf Horst Köhler. Dann sagte die Kanzlerin: \
                    „Wir brauchen mehr Reformen im Land.“";
        assert_eq!(quotes(text)[0].1.as_deref(), Some("Angela Merkel"));
        // The roles of a ruler name one person: the seeds' `Nordkoreas Diktator Kim Jong Un
        // … schwärmte der Machthaber`. Other roles stay apart.
        let text = "Nordkoreas Diktator Kim Jong Un hat Gespräche angeboten. In einer Rede \
                    schwärmte der Machthaber von seinen „guten Erinnerungen“ an Donald Trump.";
        assert_eq!(quotes(text)[0].1.as_deref(), Some("Kim Jong Un"));
        let text = "Nordkoreas Außenminister Choe Son Hui hat Gespräche angeboten. In einer Rede \
                    schwärmte der Machthaber von seinen „guten Erinnerungen“ an Donald Trump.";
        assert_eq!(quotes(text)[0].1, None);
    }

    #[test]
    fn a_role_in_a_lead_refers_to_the_person_named_with_it_after() {
        let text = "Arsenal-Trainer ob der Behandlung des Dopingfalls verwundert: „Bedeutet, \
                    dass man grundsätzlich Doping akzeptiert“. London – Arsenal-Trainer Arsene \
                    Wenger hat die UEFA kritisiert.";
        assert_eq!(quotes(text)[0].1.as_deref(), Some("Arsene Wenger"));
        // A headline names the speaker by the role alone, before a colon.
        let text = "Arsenal-Trainer: „Bedeutet, dass man grundsätzlich Doping akzeptiert“. \
                    London – Arsenal-Trainer Arsene Wenger hat die UEFA kritisiert.";
        assert_eq!(quotes(text)[0].1.as_deref(), Some("Arsene Wenger"));
        let text = "Expertin: „Gefahr einer Infektion sehr wahrscheinlich“. Rio de Janeiro – Das \
                    Segel-Revier ist verschmutzt.";
        assert_eq!(mentions(text)[0].2, Some("Expertin"));
        // Roles the tagger's list leaves out (`Landeshauptmann`).
        let text = "Landeshauptmann: „Jetzt wird Sicherheitspolitik ernst genommen“. Eisenstadt \
                    – Landeshauptmann Hans Niessl hat die Regierung gelobt.";
        assert_eq!(quotes(text)[0].1.as_deref(), Some("Hans Niessl"));
        // The role coordinated with another before the name.
        let text = "Der OeNB-Gouverneur warnt, die neuen Abgaben seien „ein wesentlich hoher \
                    Betrag“. Alpbach – OeNB-Gouverneur und EZB-Rat Ewald Nowotny warnt vor einer \
                    Wettbewerbsverzerrung.";
        assert_eq!(quotes(text)[0].1.as_deref(), Some("Ewald Nowotny"));
        // Not a person named later with another role.
        let text = "Arsenal-Trainer ob der Behandlung des Dopingfalls verwundert: „Bedeutet, \
                    dass man grundsätzlich Doping akzeptiert“. London – UEFA-Präsident Michel \
                    Platini hat das Urteil verteidigt.";
        assert_eq!(quotes(text)[0].1, None);
    }

    #[test]
    fn an_indefinite_role_is_someone_new() {
        let text = "Angela Merkel sprach. Ein Sprecher sagte: „Wir prüfen den Vorfall noch.“";
        assert_eq!(quotes(text)[0].1, None);
    }

    #[test]
    fn institutions_speak_as_a_body() {
        let text = "Die Polizei teilte mit: „Der Täter ist gefasst worden.“";
        assert_eq!(quotes(text)[0].1.as_deref(), Some("Polizei"));
        let text = "„Eine Beihilfe zum Delikt ist nicht zu erkennen“, begründet das Gericht \
                    seine Entscheidung.";
        assert_eq!(quotes(text)[0].1.as_deref(), Some("Gericht"));
    }

    #[test]
    fn a_quote_of_its_own_continues_the_speaker_before() {
        let text = "„Der Bär ist zu einem Problembären geworden“, so Werner Schnappauf. „Der Bär \
                    ist ganz offensichtlich außer Rand und Band.“";
        let all = quotes(text);
        assert_eq!(all.len(), 2, "{all:?}");
        assert_eq!(all[1].1.as_deref(), Some("Werner Schnappauf"));
        let text = "Renate Künast sagte, es müsse nun Schluss sein. Es drohe „eine dramatische \
                    Erderwärmung von zwei Grad“.";
        assert_eq!(quotes(text)[0].1.as_deref(), Some("Renate Künast"));
    }

    #[test]
    fn titles_with_punctuation_and_lists_of_titles_are_not_quotes() {
        assert!(quotes(
            "Zu sehen ist eine Nachricht des „Wikimedia Deutschland – Gesellschaft zur \
             Förderung Freien Wissens e.V.“ auf der Seite."
        )
        .is_empty());
        let all = quotes(
            "Es gab Vorträge wie „Erinnerungen und Bilder zu Dresdens Verkehrsgeschichte“, \
             „Zur Geschichte ausgewählter Betriebshöfe der DVB“ oder „Bau der \
             Eisenbahnverbindung Dresden-Prag“.",
        );
        assert!(all.is_empty(), "{all:?}");
        // Words after a noun of saying stay a quote.
        let all = quotes("Er schloss mit den Worten „Wir kommen bald wieder zurück nach Hause.“");
        assert_eq!(all.len(), 1, "{all:?}");
    }

    #[test]
    fn terms_names_and_translations_are_not_quotes() {
        assert!(
            quotes("Sie demonstrierten unter dem Motto „Wir sind hier und wir bleiben!“.")
                .is_empty()
        );
        assert!(quotes("Die Rolle der Federal Reserve (kurz: „Fed“) war umstritten.").is_empty());
        assert!(quotes("Die Operation „Cast Lead“ („gegossenes Blei“) dauerte an.").is_empty());
        assert!(quotes("Er hatte laut „tagesschau.de“ den Plan kritisiert.").is_empty());
        // A publication or a work named after its kind, a source after `wie`.
        let named = [
            "Laut einem Test der Wochenzeitschrift „Autos von morgen und heute“ gibt es 113 Modelle.",
            "Wie „heise online“ berichtet, sperrten die Behörden den Zugang.",
            "Die regierende „Partei der nationalen Einheit und Erneuerung“ verlor die Mehrheit.",
            // … or after it, as its apposition or predicate.
            "Matteo Garrone hat mit „Das Märchen der Märchen“ einen bilderstarken Film gedreht.",
            "„Oskar, Rico und Herzgebreche“ ist die Verfilmung des zweiten Teils.",
        ];
        for text in named {
            assert!(quotes(text).is_empty(), "{text}: {:?}", quotes(text));
        }
        // A colon after a speech verb still introduces someone's words.
        let all = quotes("Angela Merkel erklärt selbst: „Ich wurde nicht als Kanzlerin geboren.“");
        assert_eq!(all.len(), 1, "{all:?}");
    }

    #[test]
    fn names_given_by_a_verb_of_naming_are_quotes() {
        let all = quotes("Peter Schaar bezeichnete die Pläne als „Wortbruch“.");
        assert_eq!(all.len(), 1, "{all:?}");
        assert_eq!(all[0].0, "„Wortbruch“");
        let all = quotes("Lothar Nicht sprach von einer „Gefahr für Leib und Leben“.");
        assert_eq!(all.len(), 1, "{all:?}");
        // Without a verb of naming an article does not make a term a quote.
        assert!(quotes(
            "Danach verfügte eine „große Koalition“ aus SPD und CDU über die \
                        Mehrheit."
        )
        .is_empty());
    }

    #[test]
    fn speaker_named_later_in_the_sentence() {
        let text = "Von einer „gezielten Indiskredition“ sprach der Grünen-Politiker Christian \
                    Ströbele.";
        let all = quotes(text);
        assert_eq!(all.len(), 1, "{all:?}");
        assert_eq!(all[0].1.as_deref(), Some("Christian Ströbele"));
        let text = "Der Iran müsse „vollständig und nachweislich den Prozess“ beenden, so \
                    Condoleezza Rice.";
        assert_eq!(quotes(text)[0].1.as_deref(), Some("Condoleezza Rice"));
    }

    #[test]
    fn apposition_with_a_role_before_the_name() {
        let text = "„Wir haben die Lage noch lange nicht unter Kontrolle“, sagte der \
                    Oberkommandierende der Streitkräfte, General George Casey.";
        assert_eq!(quotes(text)[0].1.as_deref(), Some("George Casey"));
    }

    #[test]
    fn a_publication_in_quote_marks_speaks() {
        let text = "„Das wird das größte Update aller Zeiten“, schreibt die „Computerwoche“.";
        assert_eq!(quotes(text)[0].1.as_deref(), Some("Computerwoche"));
    }

    #[test]
    fn a_compound_role_names_its_organisation_unless_a_name_follows() {
        let text = "Der WWF lobte den Bericht. Ein WWF-Sprecher sagte: „Sie haben einen wirklich \
                    bedeutenden Bericht erstellt.“";
        assert_eq!(quotes(text)[0].1.as_deref(), Some("WWF"));
        let text = "„Wir wollen unsere Produktionssysteme enger verzahnen“, hatte VW-Chef Martin \
                    Winterkorn erklärt.";
        assert_eq!(quotes(text)[0].1.as_deref(), Some("Martin Winterkorn"));
    }

    #[test]
    fn a_spokesperson_speaks_for_the_organisation_in_the_genitive() {
        let text =
            "Die Bundesregierung reagierte. Ein Sprecher des Finanzministeriums sagte: „Wir \
                    sind zuversichtlich, dass wir das schaffen.“";
        assert_eq!(quotes(text)[0].1.as_deref(), Some("Finanzministerium"));
        let text = "„Die Produktion soll in den nächsten Jahren nicht ausgebaut werden“, gab ein \
                    Sprecher des Unternehmens bekannt.";
        assert_eq!(quotes(text)[0].1.as_deref(), Some("Unternehmen"));
    }

    #[test]
    fn auxiliary_and_participle_later_in_the_sentence() {
        let text = "Sie wisse, dass ihre Arbeit „nicht frei von Schwächen und manchmal \
                    fehlerhaft“ sei, hatte Silvana Koch-Mehrin damals gesagt.";
        let all = quotes(text);
        assert_eq!(all.len(), 1, "{all:?}");
        assert_eq!(all[0].1.as_deref(), Some("Silvana Koch-Mehrin"));
    }

    #[test]
    fn a_quote_of_its_own_reaches_over_a_sentence_without_names() {
        let text = "„Wir bleiben noch lange hier“, wird Leon Panetta zitiert. Die Entscheidung \
                    wolle er der NATO überlassen. „Tatsächlich ist es unser jetziges Anliegen, \
                    Hilfe zu leisten.“";
        let all = quotes(text);
        assert_eq!(all.len(), 2, "{all:?}");
        assert_eq!(all[1].1.as_deref(), Some("Leon Panetta"));
        // A sentence that names someone else in between stops it.
        let text = "„Wir bleiben noch lange hier“, wird Leon Panetta zitiert. Angela Merkel \
                    widersprach. „Tatsächlich ist es unser jetziges Anliegen, Hilfe zu leisten.“";
        assert_ne!(quotes(text)[1].1.as_deref(), Some("Leon Panetta"));
    }

    #[test]
    fn slogans_after_a_noun_of_saying_are_quotes() {
        let all = quotes(
            "Die Demonstranten skandierten Parolen wie „Stoppt den Überwachungswahn“ oder \
             „Vorratsdatenspeicherung – sinnlos, teuer, einfach dumm“.",
        );
        assert_eq!(all.len(), 2, "{all:?}");
        let all = quotes("Die Menge zog mit der Parole „Thaksin raus!“ durch die Stadt.");
        assert_eq!(all.len(), 1, "{all:?}");
    }

    #[test]
    fn judgements_introduced_by_als_are_quotes() {
        let all =
            quotes("Die Bundesregierung hatte den Bericht umgehend als „falsch“ zurückgewiesen.");
        assert_eq!(all.len(), 1, "{all:?}");
        let all = quotes("Beate Merk wies dies als „Unverschämtheit“ zurück.");
        assert_eq!(all.len(), 1, "{all:?}");
        // A definition is no one's words.
        assert!(quotes(
            "Der Partikelstrom, der als „Sonnenwind“ bezeichnet wird, trifft die Erde."
        )
        .is_empty());
        assert!(quotes("Dies nennt man einen „Aktiensplit“.").is_empty());
    }

    #[test]
    fn no_panic_on_any_prefix_of_tricky_text() {
        let text = "Ein Sprecher des Finanzministeriums sagte: „Wir prüfen.“ Von einer „Gefahr“ \
                    sprach der Grünen-Politiker Christian Ströbele, so ein WWF-Sprecher des \
                    Verbandes. Parolen wie „A“, „B“ oder „C“ (kurz: „D“) („E“) laut „F“ hatte, \
                    „G“ sei, hatte Angela Merkel gesagt, schreibt die „Zeit“. „Wir kommen morgen \
                    wieder“, sagte ein Sprecher des";
        let ends = text.char_indices().map(|(i, _)| i).chain([text.len()]);
        for end in ends {
            let _ = quotes(&text[..end]);
        }
    }

    #[test]
    fn a_sentence_quoting_someone_with_words_gives_that_person() {
        let text = "Die russische Nachrichtenagentur RIA Novosti zitiert dazu Néstor Kirchner mit \
                    folgenden Worten: „Diese Banken haben ihre Zweckbestimmung verfehlt.“";
        assert_eq!(quotes(text)[0].1.as_deref(), Some("Néstor Kirchner"));
        // Without the colon, and a description: the one quoted speaks, not the medium.
        let text = "Der Spiegel zitiert den Prediger mit den Worten „Wir werden die Welt \
                    wieder beherrschen, stellt euch darauf ein.“ Das Beispiel reiht sich ein.";
        assert_eq!(
            mentions(text),
            [(
                "„Wir werden die Welt wieder beherrschen, stellt euch darauf ein.“".to_owned(),
                None,
                Some("den Prediger")
            )]
        );
    }

    #[test]
    fn the_agent_of_a_passive_and_what_a_relative_pronoun_refers_to_name_something_as_a_quote() {
        let text = "Die Gefahr ist groß. In weiten Teilen wird die Gefahr von Waldbränden vom \
                    Deutschen Wetterdienst als „sehr hoch“ eingestuft. Das gilt für die Küste.";
        let all = mentions(text);
        assert_eq!(all.len(), 1, "{all:?}");
        assert_eq!(all[0].2, Some("Deutschen Wetterdienst"));
        let text =
            "Die Fenster werden beklebt. Kritik kommt vom Berliner Fahrgastverband IGEB, der \
                    diese Maßnahme als „Kapitulation“ vor den Randalierern sieht. Jens Wieseke \
                    fordert freie Sicht.";
        let all = mentions(text);
        assert_eq!(all.len(), 1, "{all:?}");
        assert_eq!(all[0].2, Some("IGEB"));
        // The pronoun before an object with its article, and `welche`.
        let text = "In der Zeitung erschien ein Kommentar, der die Entscheidung des Komitees als \
                    „nicht nachzuvollziehende Verirrung“ bezeichnet.";
        assert_eq!(mentions(text)[0].2, Some("ein Kommentar"));
        let text = "Die Hacker hinterließen eine griechische Botschaft, welche die Techniker \
                    als „einen Haufen von Schulkindern“ bezeichnete.";
        assert_eq!(mentions(text)[0].2, Some("eine griechische Botschaft"));
        // A relative clause whose own subject speaks keeps it (`…, den die Regierung als
        // „…“ bezeichnet`).
        let text = "Der Plan sieht einen Zaun vor, den die Regierung als „Schutzwall“ bezeichnet.";
        assert_eq!(mentions(text)[0].2, Some("Regierung"));
    }

    #[test]
    fn an_organisation_in_the_genitive_after_a_noun_is_no_subject() {
        let text = "Den Unmut der CDU über die Pläne brachte die Sprecherin der Fraktion zum \
                    Ausdruck: „Es gibt keinen Grund, unsere Positionen jetzt aufzugeben.“";
        let all = mentions(text);
        assert_eq!(all.len(), 1, "{all:?}");
        assert_ne!(all[0].1.as_deref(), Some("CDU"), "{all:?}");
        // Before a noun, `der` is the nominative's.
        let text = "Am Montag sagte der CDU-Chef Friedrich Merz: „Wir bleiben dabei.“";
        assert_eq!(quotes(text)[0].1.as_deref(), Some("Friedrich Merz"));
    }

    #[test]
    fn a_spokesperson_is_no_one_named_before_unless_introduced_as_such() {
        let text = "Tony Blair ist im Urlaub. Der Sprecher teilte mit: „Der Premierminister \
                    steht bereit, sich mit den Vertretern zu treffen.“";
        let all = mentions(text);
        assert_eq!(all.len(), 1, "{all:?}");
        assert_eq!(all[0].1, None, "{all:?}");
        assert_eq!(all[0].2, Some("Der Sprecher"));
        // Introduced with the role, the spokesperson is that person.
        let text = "Regierungssprecher Steffen Seibert äußerte sich am Montag. Der Sprecher \
                    sagte: „Wir prüfen das sehr genau.“";
        assert_eq!(quotes(text)[0].1.as_deref(), Some("Steffen Seibert"));
    }

    #[test]
    fn a_subject_after_the_verb_that_follows_a_quote_speaks_though_no_name_answers_it() {
        // Not Shultz, named earlier in the sentence.
        let text = "George Shultz habe als Außenminister wesentlich mitgewirkt, „den Lauf der \
                    Geschichte mit den Mitteln der Diplomatie zu ändern“, schrieb die Hoover \
                    Institution. Die spätere Außenministerin sprach.";
        let all = mentions(text);
        assert_eq!(all.len(), 1, "{all:?}");
        assert_eq!(all[0].1, None);
        assert_eq!(all[0].2, Some("die Hoover Institution"));
        // A medium quoting someone is not that subject.
        let text = "Wolfgang Schäuble sah grünes Licht: „Ich gehe davon aus, dass die Befugnisse \
                    nun übertragen werden“, zitiert Welt-Online den Minister.";
        assert_eq!(quotes(text)[0].1.as_deref(), Some("Wolfgang Schäuble"));
    }

    #[test]
    fn laut_opening_the_next_sentence_attributes_nothing_before_it() {
        let text = "Angela Merkel sagte: „Wir schaffen das schon.“ Laut der Zeitung will sie \
                    bleiben.";
        assert_eq!(quotes(text)[0].1.as_deref(), Some("Angela Merkel"));
        // `laut` after a comma still does.
        let text = "„Wir schaffen das schon“, laut Angela Merkel.";
        assert_eq!(quotes(text)[0].1.as_deref(), Some("Angela Merkel"));
    }
}
