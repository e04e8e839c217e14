//! Word and phrase lists (German and English) that the boilerplate classifier matches
//! against tokenised lines.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

use crate::chars::splat;

/// FNV-1a: the word sets are looked up once per token, where SipHash dominates the cost.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }
}

type Set = HashSet<&'static str, BuildHasherDefault<Fnv>>;

/// A set of words, each with a byte of flags, with a cheap test in front of the lookup
/// (most tokens of running text are longer than any word of a list, or start with a byte
/// none of them starts with), and the words of up to [`SHORT`] bytes as integers in a
/// small open-addressing table, so that a lookup hashes one integer and compares one.
#[derive(Debug, Default)]
pub(crate) struct Words {
    /// Slots of the words of at most [`SHORT`] bytes: a 16-bit tag of the hash (never 0;
    /// 0 is an empty slot), small enough for the whole table to stay in the L1 cache.
    /// The number of slots is a power of two, at least four times the number of words:
    /// many of the tokens looked up are none of the words, and the emptier the table,
    /// the sooner their probe meets an empty slot (a lookup took 62 instructions at
    /// twice, 57 at four times; eight times saved 2 more for twice the memory).
    tags: Vec<u16>,
    /// [`key`], length and flags of the word in each slot, compared when the tag matches.
    short: Vec<(u128, u8, u8)>,
    /// `64 - log2(short.len())`: the hash keeps the top bits of the product.
    shift: u32,
    /// The longer words and their flags.
    long: Map<u8>,
    /// The longest word, in characters.
    max_chars: usize,
    /// Bit `n` of `first[b]` is set when some word of `n` bytes (bit 31: of 31 or
    /// more) starts with the byte `b`.
    first: Vec<u32>,
}

/// Words up to this many bytes go to the integer table.
const SHORT: usize = 16;

/// The bytes of a word of 1 to 16 bytes as one integer; together with the length it
/// tells the word: the first and last eight bytes cover a word of 8 to 16 bytes, the
/// first and last four one of 4 to 7, the first, middle and last byte one of 1 to 3.
#[inline]
fn key(b: &[u8]) -> u128 {
    let n = b.len();
    let at4 = |i: usize| u32::from_le_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]);
    if n >= 8 {
        let at8 = |i: usize| u128::from(at4(i)) | (u128::from(at4(i + 4)) << 32);
        at8(0) | (at8(n - 8) << 64)
    } else if n >= 4 {
        u128::from(at4(0)) | (u128::from(at4(n - 4)) << 32)
    } else if n > 0 {
        u128::from(b[0]) | (u128::from(b[n / 2]) << 8) | (u128::from(b[n - 1]) << 16)
    } else {
        0
    }
}

impl Words {
    /// The first slot to probe for a word, and its tag.
    #[inline]
    fn slot(&self, key: u128, len: usize) -> (usize, u16) {
        let folded = (key as u64) ^ ((key >> 64) as u64).rotate_left(29) ^ len as u64;
        let h = folded.wrapping_mul(0x9E37_79B9_7F4A_7C15);
        ((h >> self.shift) as usize, (h >> 8) as u16 | 1)
    }

    /// Whether `tok` is one of the words. The cheap tests are inlined into the caller;
    /// the lookup is not.
    #[inline(always)]
    pub(crate) fn contains(&self, tok: &str) -> bool {
        self.flags(tok) != 0
    }

    /// The flags of `tok`, 0 if it is none of the words. The cheap tests are inlined
    /// into the caller; the lookup is not.
    #[inline(always)]
    pub(crate) fn flags(&self, tok: &str) -> u8 {
        let bytes = tok.as_bytes();
        // No list has an empty word.
        let Some(&b) = bytes.first() else {
            return 0;
        };
        let lens = self.first.get(usize::from(b)).copied().unwrap_or(0);
        if lens & (1 << bytes.len().min(31)) != 0 {
            self.lookup(tok)
        } else {
            0
        }
    }

    /// The flags of `tok` (not empty), 0 if it is none of the words.
    #[inline(never)]
    fn lookup(&self, tok: &str) -> u8 {
        let bytes = tok.as_bytes();
        if bytes.len() > SHORT {
            return self.lookup_long(tok);
        }
        let key = key(bytes);
        let mask = self.tags.len() - 1;
        let (mut i, tag) = self.slot(key, bytes.len());
        loop {
            let t = self.tags[i];
            if t == 0 {
                return 0;
            }
            let (k, len, flags) = self.short[i];
            if t == tag && (k, usize::from(len)) == (key, bytes.len()) {
                return flags;
            }
            i = (i + 1) & mask;
        }
    }

    /// The flags of `tok`, longer than [`SHORT`] bytes. Apart, so that the hash map's
    /// lookup does not make the common path save and restore registers.
    #[inline(never)]
    fn lookup_long(&self, tok: &str) -> u8 {
        self.long.get(tok).copied().unwrap_or(0)
    }

    /// The longest word, in characters.
    pub(crate) fn max_chars(&self) -> usize {
        self.max_chars
    }

    /// The words of `lists`, each word with the flags of the lists it is in (a list's
    /// flags must not be 0).
    pub(crate) fn with_flags(lists: &[(&[&'static str], u8)]) -> Self {
        let mut out = Words::default();
        let mut short: Map<u8> = Map::default();
        for &(list, flags) in lists {
            for &w in list {
                if w.is_empty() {
                    continue;
                }
                out.max_chars = out.max_chars.max(w.chars().count());
                out.first.resize(256, 0);
                out.first[usize::from(w.as_bytes()[0])] |= 1 << w.len().min(31);
                let to = if w.len() > SHORT {
                    &mut out.long
                } else {
                    &mut short
                };
                *to.entry(w).or_default() |= flags;
            }
        }
        let mut short: Vec<(&'static str, u8)> = short.into_iter().collect();
        short.sort_unstable();
        let size = (short.len() * 4).next_power_of_two().max(2);
        out.shift = 64 - size.trailing_zeros();
        out.tags = vec![0; size];
        out.short = vec![(0, 0, 0); size];
        let mask = size - 1;
        for (w, flags) in short {
            let key = key(w.as_bytes());
            let (mut i, tag) = out.slot(key, w.len());
            while out.tags[i] != 0 {
                i = (i + 1) & mask;
            }
            out.tags[i] = tag;
            // At most SHORT bytes, checked above.
            out.short[i] = (key, w.len() as u8, flags);
        }
        out
    }
}

impl<'w> FromIterator<&'w &'static str> for Words {
    fn from_iter<I: IntoIterator<Item = &'w &'static str>>(words: I) -> Self {
        let list: Vec<&'static str> = words.into_iter().copied().collect();
        Words::with_flags(&[(&list, 1)])
    }
}

type Map<V> = HashMap<&'static str, V, BuildHasherDefault<Fnv>>;

/// German and English function words, lowercase.
const STOPWORDS: &[&str] = &[
    // German
    "aber", "alle", "allem", "allen", "aller", "alles", "als", "also", "am", "an", "ander",
    "andere", "anderem", "anderen", "anderer", "anderes", "anders", "auch", "auf", "aus", "bei",
    "beim", "bin", "bis", "bist", "da", "damit", "dann", "das", "dass", "daß", "dein", "deine",
    "dem", "den", "denn", "der", "des", "dessen", "deshalb", "die", "dies", "diese", "diesem",
    "diesen", "dieser", "dieses", "doch", "dort", "du", "durch", "ein", "eine", "einem", "einen",
    "einer", "eines", "einige", "einigen", "er", "es", "etwas", "euer", "eure", "für", "gegen",
    "gewesen", "hab", "habe", "haben", "hat", "hatte", "hatten", "hier", "hin", "hinter", "ich",
    "ihm", "ihn", "ihnen", "ihr", "ihre", "ihrem", "ihren", "ihrer", "ihres", "im", "in", "indem",
    "ins", "ist", "ja", "jede", "jedem", "jeden", "jeder", "jedes", "jene", "jetzt", "kann",
    "kein", "keine", "keinem", "keinen", "keiner", "können", "könnte", "man", "manche", "mehr",
    "mein", "meine", "mich", "mir", "mit", "muss", "musste", "nach", "nicht", "nichts", "noch",
    "nun", "nur", "ob", "oder", "ohne", "sehr", "sein", "seine", "seinem", "seinen", "seiner",
    "seit", "sich", "sie", "sind", "so", "solche", "soll", "sollte", "sondern", "sonst", "über",
    "um", "und", "uns", "unser", "unsere", "unter", "viel", "vom", "von", "vor", "während", "war",
    "waren", "warum", "was", "weil", "weiter", "welche", "welchem", "welchen", "welcher", "wenn",
    "wer", "werde", "werden", "wie", "wieder", "will", "wir", "wird", "wirst", "wo", "wollen",
    "wollte", "würde", "würden", "zu", "zum", "zur", "zwar", "zwischen", // English
    "a", "about", "above", "after", "again", "against", "all", "and", "any", "are", "as", "at",
    "be", "because", "been", "before", "being", "below", "between", "both", "but", "by", "can",
    "could", "did", "do", "does", "doing", "down", "during", "each", "few", "for", "from",
    "further", "had", "has", "have", "having", "he", "her", "here", "hers", "him", "his", "how",
    "i", "if", "into", "is", "it", "its", "just", "me", "more", "most", "my", "no", "nor", "not",
    "now", "of", "off", "on", "once", "only", "or", "other", "our", "out", "over", "own", "same",
    "she", "should", "some", "such", "than", "that", "the", "their", "them", "then", "there",
    "these", "they", "this", "those", "through", "to", "too", "under", "until", "up", "very", "we",
    "were", "what", "when", "where", "which", "while", "who", "whom", "why", "with", "would",
    "you", "your",
];

/// Single words of site chrome: menus, share bars, account links, section names.
const MENU_WORDS: &[&str] = &[
    "startseite",
    "home",
    "menü",
    "menu",
    "navigation",
    "suche",
    "suchen",
    "search",
    "login",
    "log",
    "logout",
    "anmelden",
    "abmelden",
    "registrieren",
    "register",
    "konto",
    "account",
    "profil",
    "abo",
    "abos",
    "abonnieren",
    "subscribe",
    "meine",
    "mein",
    "my",
    "news",
    "nachrichten",
    "politik",
    "wirtschaft",
    "sport",
    "kultur",
    "panorama",
    "wissen",
    "meinung",
    "video",
    "videos",
    "audio",
    "podcast",
    "podcasts",
    "mediathek",
    "livestream",
    "teilen",
    "share",
    "drucken",
    "print",
    "kommentare",
    "kommentar",
    "comments",
    "mehr",
    "more",
    "weiter",
    "zurück",
    "back",
    "next",
    "impressum",
    "datenschutz",
    "kontakt",
    "contact",
    "newsletter",
    "faq",
    "hilfe",
    "help",
    "karriere",
    "jobs",
    "rss",
    "facebook",
    "twitter",
    "x",
    "instagram",
    "linkedin",
    "whatsapp",
    "e-mail",
    "email",
    "mail",
    "telegram",
    "youtube",
    "tiktok",
    "pinterest",
    "xing",
    "threads",
    "bluesky",
    "mastodon",
    "reddit",
    "flipboard",
    "kopieren",
    "copy",
    "link",
    "schließen",
    "close",
    "öffnen",
    "open",
    "merken",
    "speichern",
    "save",
    "vorlesen",
    "anhören",
    "listen",
    "bildergalerie",
    "galerie",
    "gallery",
    "top",
    "themen",
    "topics",
    "ressorts",
    "service",
    "shop",
    "app",
    "apps",
    "epaper",
    "e-paper",
    "archiv",
    "archive",
    "übersicht",
    "overview",
    "sections",
    "lokales",
    "regional",
    "international",
    "ausland",
    "inland",
    "deutschland",
    "welt",
    "world",
    "live",
    "ticker",
    "newsticker",
    "aktuell",
    "latest",
    "trending",
    "feedback",
    "agb",
    "cookies",
    "cookie-einstellungen",
    "einstellungen",
    "settings",
    "privacy",
    "terms",
    "imprint",
    "about",
    "us",
    "über",
    "uns",
    "werbung",
    "anzeige",
    "mediadaten",
    "artikel",
    "beitrag",
    "seite",
    "page",
    "alle",
    "all",
];

/// Phrase classes matched as contiguous token sequences.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Phrase {
    /// Skip links ("Zum Inhalt springen", "Skip to content").
    SkipLink,
    /// Headings that open a block of teasers to other articles.
    RelatedHeading,
    /// Headings of an author box.
    AuthorHeading,
    /// Sentences that open an author bio ("Der Autor ist …").
    AuthorBio,
    /// Editorial notes about the article itself.
    Editorial,
    /// Calls to action (read more, subscribe, jobs).
    CallToAction,
    /// Shop banners and ad labels.
    Promo,
    /// Headings that open a comment section.
    CommentHeading,
    /// Lines that only follow an article: share bars, tag lists, post navigation.
    EndMarker,
}

const SKIP_LINKS: &[&str] = &[
    "zum inhalt springen",
    "zur navigation springen",
    "zur hauptnavigation springen",
    "zur suche springen",
    "zum hauptinhalt springen",
    "zur fußzeile springen",
    "direkt zum inhalt",
    "direkt zur navigation",
    "zum inhalt",
    "zur navigation",
    "zur hauptnavigation",
    "zum hauptinhalt",
    "inhalt überspringen",
    "skip to content",
    "skip to main content",
    "skip to navigation",
    "skip navigation",
    "jump to content",
    "skip to footer",
    "zur startseite",
];

const RELATED_HEADINGS: &[&str] = &[
    "mehr zum thema",
    "wissenswertes zum thema",
    "mehr zu diesem thema",
    "mehr dazu",
    "mehr zum thema lesen",
    "auch interessant",
    "ebenfalls interessant",
    "das könnte sie auch interessieren",
    "das könnte sie interessieren",
    "könnte sie auch interessieren",
    "das könnte dich auch interessieren",
    "weitere artikel",
    "weitere nachrichten",
    "weitere themen",
    "weitere meldungen",
    "weitere videos",
    "mehr videos",
    "lesen sie auch",
    "lesen sie mehr",
    "lesen sie weiter",
    "verwandte artikel",
    "verwandte themen",
    "ähnliche artikel",
    "ähnliche themen",
    "empfohlene artikel",
    "empfehlungen",
    "unsere empfehlungen",
    "unsere empfehlung",
    "top-themen",
    "topthemen",
    "top themen",
    "meistgelesen",
    "meistgelesene artikel",
    "am meisten gelesen",
    "meistgesehen",
    "mehr aus dem ressort",
    "mehr aus diesem ressort",
    "mehr aus der rubrik",
    "neueste artikel",
    "neueste nachrichten",
    "aktuelle artikel",
    "zum weiterlesen",
    "weiterlesen",
    "related",
    "related articles",
    "related stories",
    "related content",
    "related coverage",
    "more on this story",
    "more on this topic",
    "recommended",
    "recommended for you",
    "you might also like",
    "you may also like",
    "read more",
    "most read",
    "most popular",
    "more stories",
    "more from",
    "further reading",
    "schlagwörter",
    "schlagworte",
    "tags",
    "themen",
    "mehr zu",
];

const COMMENT_HEADINGS: &[&str] = &[
    "kommentare",
    "kommentar schreiben",
    "kommentar verfassen",
    "schreibe einen kommentar",
    "schreiben sie einen kommentar",
    "einen kommentar schreiben",
    "kommentar abgeben",
    "kommentare anzeigen",
    "alle kommentare",
    "leserkommentare",
    "ihre meinung",
    "ihr kommentar",
    "diskutieren sie mit",
    "diskussion",
    "antwort hinterlassen",
    "hinterlasse einen kommentar",
    "hinterlassen sie einen kommentar",
    "eine antwort hinterlassen",
    "kommentieren",
    "comments",
    "leave a reply",
    "leave a comment",
    "post a comment",
    "add a comment",
    "join the discussion",
    "join the conversation",
    "show comments",
    "view comments",
    "reader comments",
    "responses",
    "discussion",
];

const END_MARKERS: &[&str] = &[
    "share this",
    "share this article",
    "share this story",
    "share this post",
    "share article",
    "share",
    "teilen",
    "teilen mit",
    "diesen artikel teilen",
    "artikel teilen",
    "beitrag teilen",
    "seite teilen",
    "jetzt teilen",
    "teile diesen beitrag",
    "gefällt mir",
    "like this",
    "liken lade",
    "like loading",
    "ähnliche beiträge",
    "verwandte beiträge",
    "related posts",
    "beitrags-navigation",
    "beitragsnavigation",
    "post navigation",
    "artikel-navigation",
    "write a comment",
    "kommentar hinzufügen",
    "add comment",
    "antworten abbrechen",
    "cancel reply",
    "neueste beiträge",
    "letzte beiträge",
    "recent posts",
    "latest posts",
    "print",
    "drucken",
    "artikel drucken",
    "seite drucken",
];

const AUTHOR_HEADINGS: &[&str] = &[
    "zum autor",
    "zur autorin",
    "zu den autoren",
    "zu den autorinnen",
    "über den autor",
    "über die autorin",
    "über die autoren",
    "zur person",
    "der autor",
    "die autorin",
    "die autoren",
    "unser autor",
    "unsere autorin",
    "about the author",
    "about the authors",
    "the author",
    "the authors",
];

const AUTHOR_BIO: &[&str] = &[
    "der autor ist",
    "die autorin ist",
    "der autor war",
    "die autorin war",
    "unser autor ist",
    "unsere autorin ist",
    "the author is",
    "the author was",
    "the writer is",
];

const EDITORIAL: &[&str] = &[
    "dieser artikel wurde",
    "dieser artikel war",
    "dieser artikel liegt",
    "dieser artikel erschien",
    "dieser artikel ist zuerst",
    "dieser artikel ist erstmals",
    "dieser beitrag wurde",
    "dieser beitrag war",
    "dieser beitrag erschien",
    "dieser beitrag ist zuerst",
    "dieser text wurde",
    "dieser text erschien",
    "der artikel erschien zuerst",
    "der beitrag erschien zuerst",
    "erschien zuerst",
    "zuerst erschienen",
    "wir testen zurzeit",
    "wir testen derzeit",
    "maschinelle übersetzung",
    "maschinelle übersetzungen",
    "maschinell übersetzt",
    "automatisiert ins deutsche übersetzt",
    "automatisch übersetzt",
    "anmerkung der redaktion",
    "hinweis der redaktion",
    "redaktioneller hinweis",
    "transparenzhinweis",
    "korrekturhinweis",
    "in einer früheren version",
    "in einer vorherigen version",
    "this article was",
    "this article has been",
    "this story was",
    "this story has been",
    "editor's note",
    "editor’s note",
    "an earlier version of this",
    "this article originally appeared",
    "originally published",
    "machine translated",
    "machine-translated",
];

const CALLS_TO_ACTION: &[&str] = &[
    "lesen sie hier",
    "lesen sie auch",
    "lesen sie mehr",
    "hier lesen",
    "jetzt lesen",
    "hier klicken",
    "klicken sie hier",
    "mehr erfahren",
    "jetzt anmelden",
    "jetzt registrieren",
    "jetzt abonnieren",
    "jetzt testen",
    "jetzt bestellen",
    "jetzt kaufen",
    "jetzt downloaden",
    "jetzt herunterladen",
    "erhalten sie",
    "sichern sie sich",
    "folgen sie uns",
    "abonnieren sie",
    "werde jetzt",
    "werden sie jetzt",
    "werde teil",
    "offene stellen",
    "stellenangebote",
    "stellenanzeigen",
    "wir suchen",
    "zum artikel",
    "zum video",
    "video ansehen",
    "jetzt ansehen",
    "jetzt anhören",
    "mehr lesen",
    "weiterlesen",
    "read more",
    "click here",
    "learn more",
    "sign up",
    "subscribe now",
    "follow us",
    "join our team",
    "we're hiring",
    "we are hiring",
    "open positions",
    "download the app",
    "app herunterladen",
    "continue reading",
    "watch now",
    "listen now",
    "jetzt spenden",
    "unterstützen sie uns",
];

const PROMO: &[&str] = &[
    "kostenlose beratung",
    "kostenlos beraten",
    "versandkostenfrei",
    "sicherer versand",
    "gratis versand",
    "kostenloser versand",
    "in den warenkorb",
    "zum shop",
    "jetzt shoppen",
    "gutscheincode",
    "angebot sichern",
    "anzeige",
    "werbung",
    "sponsored",
    "gesponsert",
    "advertisement",
    "free shipping",
    "shop now",
    "buy now",
    "partner-inhalt",
];

/// Agency names and agency-like words of credit lines, lowercase.
const AGENCIES: &[&str] = &[
    "dpa",
    "afp",
    "ap",
    "rtr",
    "reuters",
    "kna",
    "epd",
    "sid",
    "apa",
    "ots",
    "dts",
    "efe",
    "ansa",
    "ddp",
    "afx",
    "dpa-afx",
    "bloomberg",
    "sda",
    "kyodo",
    "yonhap",
    "xinhua",
    "tass",
    "ria",
    "pti",
    "ians",
    "upi",
    "idea",
    "agenturen",
    "agentur",
    "agencies",
    "wires",
    "dpa-infocom",
    "aap",
    "jiji",
    "ntb",
    "tt",
    "anp",
    "belga",
    "pap",
    "ctk",
    "mti",
];

/// Words of photo credits ("picture alliance", "Getty Images").
const PHOTO_CREDIT_WORDS: &[&str] = &[
    "picture",
    "alliance",
    "getty",
    "images",
    "imago",
    "epa",
    "keystone",
    "shutterstock",
    "istock",
    "istockphoto",
    "privat",
    "archiv",
    "photo",
    "foto",
    "pool",
    "afp",
    "ap",
    "dpa",
    "reuters",
    "kcna",
    "xinhua",
    "sputnik",
    "ddp",
    "action",
    "press",
    "photothek",
];

/// Pronouns that address the reader (case as written).
const READER_PRONOUNS: &[&str] = &[
    "Sie", "Ihr", "Ihre", "Ihren", "Ihrem", "Ihrer", "Ihres", "Ihnen", "du", "Du", "dich", "Dich",
    "dir", "Dir", "dein", "Dein", "deine", "Deine", "deinen", "deiner", "euch", "you", "You",
    "your", "Your",
];

/// The lowercase of each of [`READER_PRONOUNS`] (the token flags are looked up by
/// lowercase token).
const READER_PRONOUNS_LOWERCASE: &[&str] = &[
    "sie", "ihr", "ihre", "ihren", "ihrem", "ihrer", "ihres", "ihnen", "du", "dich", "dir", "dein",
    "deine", "deinen", "deiner", "euch", "you", "your",
];

/// Informal reader pronouns (German "du" forms), lowercase.
const INFORMAL_PRONOUNS: &[&str] = &[
    "du", "dich", "dir", "dein", "deine", "deinen", "deinem", "deiner", "euch", "euer", "eure",
];

/// Substrings of consent texts (cookie and data-processing declarations).
pub(crate) const CONSENT_STEMS: &[&str] = &[
    "einwillig",
    "datenschutzerklärung",
    "datenschutzhinweis",
    "datenschutzbestimmung",
    "cookie",
    "widerruf",
    "einverstanden",
    "zustimm",
    "nutzungsbedingungen",
    "privacy policy",
    "consent",
    "opt-out",
    "terms of use",
    "terms of service",
    "verarbeitung meiner",
    "verarbeitung ihrer",
    "personenbezogene",
    "stimmen sie",
    "akzeptier",
    "agree to",
    "accept all",
];

/// Substrings of newsletter sign-up texts.
pub(crate) const NEWSLETTER_STEMS: &[&str] = &[
    "newsletter",
    "abonnier",
    "e-mail-adresse",
    "email-adresse",
    "e-mail adresse",
    "posteingang",
    "inbox",
    "subscribe",
    "sign up",
    "melden sie sich",
    "anmelden",
    "registrieren",
    "abmelden",
    "unsubscribe",
    "kostenfrei",
    "kostenlos",
];

/// The two-byte sequences of a text, hashed into 4096 bits. A substring of the text has
/// each of its two-byte sequences in the text, so a pattern with one that is missing
/// cannot be in it: most patterns are ruled out without a substring search.
#[derive(Debug)]
pub(crate) struct Pairs([u64; 64]);

impl Pairs {
    #[inline]
    fn bit(a: u8, b: u8) -> usize {
        ((usize::from(a) << 6) ^ usize::from(b)) & 4095
    }

    /// The pairs of `text`.
    pub(crate) fn of(text: &str) -> Self {
        let mut bits = [0u64; 64];
        for w in text.as_bytes().windows(2) {
            let k = Pairs::bit(w[0], w[1]);
            bits[k >> 6] |= 1 << (k & 63);
        }
        Pairs(bits)
    }

    /// `text.contains(pat)`, where `self` is `Pairs::of(text)`.
    #[inline]
    pub(crate) fn contains(&self, text: &str, pat: &str) -> bool {
        pat.as_bytes().windows(2).all(|w| {
            let k = Pairs::bit(w[0], w[1]);
            self.0[k >> 6] & (1 << (k & 63)) != 0
        }) && text.contains(pat)
    }
}

/// Flag of [`Lexicon::token_flags`]: a stop word.
pub(crate) const STOP: u8 = 1;
/// Flag of [`Lexicon::token_flags`]: the first token of a phrase.
pub(crate) const PHRASE_START: u8 = 2;
/// Flag of [`Lexicon::token_flags`]: the second token of a phrase.
pub(crate) const PHRASE_SECOND: u8 = 4;
/// Flag of [`Lexicon::token_flags`]: a phrase of one token.
pub(crate) const PHRASE_ONE: u8 = 8;
/// Flag of [`Lexicon::token_flags`]: the lowercase of a reader pronoun, so that a line's
/// tokens tell which of its words to test with [`Lexicon::is_reader_pronoun`].
pub(crate) const READER: u8 = 16;

/// Every list the classifier needs, indexed for fast lookup. Built once per worker.
#[derive(Debug)]
pub(crate) struct Lexicon {
    stop: Words,
    /// The longest stop word, in characters.
    stop_max_chars: usize,
    menu: Words,
    agencies: Words,
    photo_credit: Words,
    reader: Words,
    informal: Words,
    /// Stop words ([`STOP`]), the first tokens of the phrases ([`PHRASE_START`]), their
    /// second tokens ([`PHRASE_SECOND`]), the phrases of one token ([`PHRASE_ONE`]) and
    /// the lowercase reader pronouns ([`READER`]): one lookup tells a token's flags.
    tokens: Words,
    /// First token → (class, the phrase's tokens).
    phrases: Map<Vec<(Phrase, Vec<&'static str>)>>,
    /// The phrases of each class (indexed by `Phrase as usize`), for whole-line
    /// comparisons.
    whole: [Set; 9],
}

/// Where a phrase was found in a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Hit {
    /// Its class.
    pub class: Phrase,
    /// Index of its first token.
    pub start: usize,
    /// Number of tokens.
    pub len: usize,
}

impl Lexicon {
    /// Indexes the built-in lists.
    pub(crate) fn new() -> Self {
        let mut phrases: Map<Vec<(Phrase, Vec<&'static str>)>> = Map::default();
        let mut whole: [Set; 9] = Default::default();
        let classes: [(Phrase, &[&'static str]); 9] = [
            (Phrase::SkipLink, SKIP_LINKS),
            (Phrase::RelatedHeading, RELATED_HEADINGS),
            (Phrase::AuthorHeading, AUTHOR_HEADINGS),
            (Phrase::AuthorBio, AUTHOR_BIO),
            (Phrase::Editorial, EDITORIAL),
            (Phrase::CallToAction, CALLS_TO_ACTION),
            (Phrase::Promo, PROMO),
            (Phrase::CommentHeading, COMMENT_HEADINGS),
            (Phrase::EndMarker, END_MARKERS),
        ];
        for (class, list) in classes {
            for phrase in list {
                let toks: Vec<&'static str> = phrase.split(' ').collect();
                phrases.entry(toks[0]).or_default().push((class, toks));
                whole[class as usize].insert(phrase);
            }
        }
        let stop: Words = STOPWORDS.iter().collect();
        let phrase_starts: Vec<&'static str> = phrases.keys().copied().collect();
        let tokens_at = |k: usize| -> Vec<&'static str> {
            let all = phrases.values().flatten();
            all.filter_map(|(_, toks)| (toks.len() == k).then_some(toks[0]))
                .collect()
        };
        let seconds: Vec<&'static str> = phrases
            .values()
            .flatten()
            .filter_map(|(_, toks)| toks.get(1).copied())
            .collect();
        let ones = tokens_at(1);
        Lexicon {
            stop_max_chars: stop.max_chars(),
            stop,
            menu: MENU_WORDS.iter().collect(),
            agencies: AGENCIES.iter().collect(),
            photo_credit: PHOTO_CREDIT_WORDS.iter().collect(),
            reader: READER_PRONOUNS.iter().collect(),
            informal: INFORMAL_PRONOUNS.iter().collect(),
            tokens: Words::with_flags(&[
                (STOPWORDS, STOP),
                (&phrase_starts, PHRASE_START),
                (&seconds, PHRASE_SECOND),
                (&ones, PHRASE_ONE),
                (READER_PRONOUNS_LOWERCASE, READER),
            ]),
            phrases,
            whole,
        }
    }

    /// Whether a lowercase token is a stop word.
    pub(crate) fn is_stop(&self, tok: &str) -> bool {
        self.stop.contains(tok)
    }

    /// The longest stop word in characters: a word with more characters (before or
    /// after lowercasing, which never shortens a word in characters) is none.
    pub(crate) fn stop_max_chars(&self) -> usize {
        self.stop_max_chars
    }

    /// Whether a lowercase token is a menu word.
    pub(crate) fn is_menu(&self, tok: &str) -> bool {
        self.menu.contains(tok)
    }

    /// Whether a lowercase token names a news agency.
    pub(crate) fn is_agency(&self, tok: &str) -> bool {
        self.agencies.contains(tok)
    }

    /// Whether a lowercase token is typical of photo credits.
    pub(crate) fn is_photo_credit_word(&self, tok: &str) -> bool {
        self.photo_credit.contains(tok)
    }

    /// Whether a token (case as written) addresses the reader.
    pub(crate) fn is_reader_pronoun(&self, tok: &str) -> bool {
        self.reader.contains(tok)
    }

    /// Whether a lowercase token is an informal ("du") reader pronoun.
    pub(crate) fn is_informal(&self, tok: &str) -> bool {
        self.informal.contains(tok)
    }

    /// Whether the whole line (its lowercase tokens joined by spaces) is a phrase of `class`.
    pub(crate) fn is_whole(&self, class: Phrase, joined: &str) -> bool {
        self.whole[class as usize].contains(joined)
    }

    /// The flags of a lowercase token: [`STOP`] and [`PHRASE_START`].
    #[inline(always)]
    pub(crate) fn token_flags(&self, tok: &str) -> u8 {
        self.tokens.flags(tok)
    }

    /// Every phrase found in the lowercase tokens `toks`, whose flags
    /// ([`Lexicon::token_flags`]) are `flags`.
    pub(crate) fn find(&self, toks: &[&str], flags: &[u8]) -> Vec<Hit> {
        let mut hits = Vec::new();
        // Most tokens start no phrase: the flags are tested eight at a time, and only
        // the tokens flagged `PHRASE_START` are looked at.
        let words = flags
            .chunks_exact(8)
            .map(|c| <[u8; 8]>::try_from(c).map_or(0, u64::from_le_bytes));
        let rest = flags.chunks_exact(8).remainder();
        let mut last = [0u8; 8];
        last[..rest.len()].copy_from_slice(rest);
        for (k, w) in words.chain([u64::from_le_bytes(last)]).enumerate() {
            let mut starts = w & splat(PHRASE_START);
            while starts != 0 {
                let i = 8 * k + (starts.trailing_zeros() / 8) as usize;
                starts &= starts - 1;
                // A phrase of one token, or one whose second token follows.
                let f = flags.get(i).copied().unwrap_or(0);
                if f & PHRASE_ONE != 0 || flags.get(i + 1).is_some_and(|g| g & PHRASE_SECOND != 0) {
                    self.find_at(toks, i, &mut hits);
                }
            }
        }
        hits
    }

    /// Adds to `hits` the phrases of `toks` that start at token `i`. Apart, so that the
    /// hash map's lookup does not make the loop over the flags save and restore
    /// registers.
    #[inline(never)]
    fn find_at(&self, toks: &[&str], i: usize, hits: &mut Vec<Hit>) {
        let Some(cands) = toks.get(i).and_then(|tok| self.phrases.get(tok)) else {
            return;
        };
        for (class, ptoks) in cands {
            if toks.len() - i >= ptoks.len() && ptoks.iter().zip(&toks[i..]).all(|(p, t)| p == t) {
                hits.push(Hit {
                    class: *class,
                    start: i,
                    len: ptoks.len(),
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lines::trim_token;

    /// The texts of the seed articles.
    const SEEDS: [&str; 5] = [
        include_str!("../../../seeds/000_4cc634fd74ce4d48.txt"),
        include_str!("../../../seeds/001_71e4d82f6747df7e.txt"),
        include_str!("../../../seeds/002_1a67b9573dd5dde7.txt"),
        include_str!("../../../seeds/003_b6e55cbff507565a.txt"),
        include_str!("../../../seeds/004_c9c43821286cbbc7.txt"),
    ];

    const ALL_LISTS: [&[&str]; 6] = [
        STOPWORDS,
        MENU_WORDS,
        AGENCIES,
        PHOTO_CREDIT_WORDS,
        READER_PRONOUNS,
        INFORMAL_PRONOUNS,
    ];

    #[test]
    fn finds_multi_token_phrases_with_positions() {
        let lex = Lexicon::new();
        let toks = ["bitte", "lesen", "sie", "hier"];
        let flags = toks.map(|t| lex.token_flags(t));
        let hits = lex.find(&toks, &flags);
        assert!(hits.contains(&Hit {
            class: Phrase::CallToAction,
            start: 1,
            len: 3
        }));
        assert!(lex.is_whole(Phrase::RelatedHeading, "mehr zum thema"));
        assert!(!lex.is_whole(Phrase::RelatedHeading, "mehr zum thema nordkorea"));
    }

    /// `find` as it was before it tested the flags eight at a time: every token's
    /// flags one by one.
    fn find_one_by_one(lex: &Lexicon, toks: &[&str], flags: &[u8]) -> Vec<Hit> {
        let mut hits = Vec::new();
        for (i, (tok, f)) in toks.iter().zip(flags).enumerate() {
            // A phrase of one token, or one whose second token follows.
            if f & PHRASE_START == 0
                || (f & PHRASE_ONE == 0 && flags.get(i + 1).is_none_or(|g| g & PHRASE_SECOND == 0))
            {
                continue;
            }
            let Some(cands) = lex.phrases.get(tok) else {
                continue;
            };
            for (class, ptoks) in cands {
                if toks.len() - i >= ptoks.len()
                    && ptoks.iter().zip(&toks[i..]).all(|(p, t)| p == t)
                {
                    hits.push(Hit {
                        class: *class,
                        start: i,
                        len: ptoks.len(),
                    });
                }
            }
        }
        hits
    }

    /// `find` as first written: every token looked up in the phrase map.
    fn find_reference(lex: &Lexicon, toks: &[&str]) -> Vec<Hit> {
        let mut hits = Vec::new();
        for (i, tok) in toks.iter().enumerate() {
            for (class, ptoks) in lex.phrases.get(tok).into_iter().flatten() {
                if toks[i..].starts_with(ptoks) {
                    hits.push(Hit {
                        class: *class,
                        start: i,
                        len: ptoks.len(),
                    });
                }
            }
        }
        hits
    }

    /// Generated lines of every length up to 40 tokens (so that phrases sit across the
    /// eight-token steps of `find`): whole phrases, phrase tokens and other words.
    #[test]
    fn find_matches_one_by_one_on_generated_lines() {
        let lex = Lexicon::new();
        let phrases: Vec<&Vec<&str>> = lex.phrases.values().flatten().map(|(_, t)| t).collect();
        let mut words: Vec<&str> = phrases.iter().flat_map(|t| t.iter().copied()).collect();
        words.extend(["x", "der", "und", "mehr", "artikel", "2025", "ä"]);
        // xorshift64*: reproducible.
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = move |n: usize| {
            state ^= state >> 12;
            state ^= state << 25;
            state ^= state >> 27;
            (state.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 33) as usize % n
        };
        let mut found = 0;
        for n in 0..=40 {
            for _ in 0..200 {
                let mut toks: Vec<&str> = Vec::new();
                while toks.len() < n {
                    if next(3) == 0 {
                        toks.extend(phrases[next(phrases.len())].iter().copied());
                    } else {
                        toks.push(words[next(words.len())]);
                    }
                }
                toks.truncate(n);
                let flags: Vec<u8> = toks.iter().map(|t| lex.token_flags(t)).collect();
                let hits = lex.find(&toks, &flags);
                assert_eq!(hits, find_one_by_one(&lex, &toks, &flags), "{toks:?}");
                assert_eq!(hits, find_reference(&lex, &toks), "{toks:?}");
                found += hits.len();
            }
        }
        assert!(found > 1000, "{found}");
    }

    #[test]
    fn find_matches_the_reference() {
        let lex = Lexicon::new();
        let mut lines: Vec<String> = Vec::new();
        for seed in SEEDS {
            lines.extend(seed.to_lowercase().lines().map(str::to_owned));
        }
        // Every phrase alone, inside a line, cut short, and after another.
        let all: Vec<String> = lex
            .phrases
            .values()
            .flatten()
            .map(|(_, t)| t.join(" "))
            .collect();
        for (k, p) in all.iter().enumerate() {
            let cut = p.rsplit_once(' ').map_or("", |(a, _)| a);
            let other = &all[(k * 7 + 3) % all.len()];
            lines.extend([
                p.clone(),
                format!("x {p} y"),
                format!("{cut} z {p}"),
                format!("{other} {p} {other}"),
            ]);
        }
        let mut found = 0;
        for line in &lines {
            let toks: Vec<&str> = line
                .split(' ')
                .map(crate::lines::trim_token)
                .filter(|t| !t.is_empty())
                .collect();
            let flags: Vec<u8> = toks.iter().map(|t| lex.token_flags(t)).collect();
            let hits = lex.find(&toks, &flags);
            assert_eq!(hits, find_reference(&lex, &toks), "{line:?}");
            found += hits.len();
        }
        assert!(found > 4 * all.len());
    }

    #[test]
    fn word_sets_answer_like_their_lists() {
        let lex = Lexicon::new();
        for w in STOPWORDS {
            assert!(lex.is_stop(w), "{w}");
            assert!(w.chars().count() <= lex.stop_max_chars());
        }
        for w in MENU_WORDS {
            assert!(lex.is_menu(w), "{w}");
        }
        for w in READER_PRONOUNS {
            assert!(lex.is_reader_pronoun(w), "{w}");
        }
        assert!(ALL_LISTS.iter().all(|l| l.iter().all(|w| !w.is_empty())));
        for w in [
            "",
            "nordkorea",
            "Und",
            "undx",
            "zwischenzeit",
            "ä",
            "\u{1F600}",
        ] {
            assert!(!lex.is_stop(w), "{w:?}");
        }
        assert!(!lex.is_reader_pronoun("sie"));
        assert_eq!(lex.stop_max_chars(), 8);
    }

    /// Each word of the lists and each first token of a phrase, each with one byte
    /// changed, cut or added, the lowercase tokens of the seeds, and a few more.
    fn probes(lex: &Lexicon) -> Vec<String> {
        let starts: Vec<&'static str> = lex.phrases.keys().copied().collect();
        let every = ALL_LISTS.iter().flat_map(|l| l.iter()).chain(&starts);
        let mut probes: Vec<String> = Vec::new();
        for w in every {
            probes.push(w.to_string());
            probes.push(format!("{w}s"));
            probes.push(format!("x{w}"));
            probes.push(w.chars().skip(1).collect());
            probes.push(w.chars().take(w.chars().count() - 1).collect());
            for i in 0..w.len() {
                let mut b = w.as_bytes().to_vec();
                b[i] ^= 1;
                if let Ok(p) = String::from_utf8(b) {
                    probes.push(p);
                }
            }
        }
        for seed in SEEDS {
            let lower = seed.to_lowercase();
            probes.extend(lower.split_whitespace().map(|w| trim_token(w).to_owned()));
        }
        probes.extend(["", "x", "\u{1F600}", "maschinellx"].map(String::from));
        probes.push("x".repeat(17));
        probes
    }

    #[test]
    fn words_answer_like_a_hash_set() {
        let lex = Lexicon::new();
        let probes = probes(&lex);
        let starts: Vec<&'static str> = lex.phrases.keys().copied().collect();
        for list in ALL_LISTS.into_iter().chain([starts.as_slice()]) {
            let words: Words = list.iter().collect();
            let set: std::collections::HashSet<&str> = list.iter().copied().collect();
            for p in &probes {
                assert_eq!(words.contains(p), set.contains(p.as_str()), "{p:?}");
            }
        }
    }

    #[test]
    fn words_with_flags_answer_like_a_map() {
        let lex = Lexicon::new();
        let probes = probes(&lex);
        let lists: Vec<(&[&'static str], u8)> = ALL_LISTS
            .iter()
            .enumerate()
            .map(|(i, l)| (*l, 1u8 << i))
            .collect();
        let words = Words::with_flags(&lists);
        let mut map: std::collections::HashMap<&str, u8> = Default::default();
        for (l, f) in &lists {
            for w in *l {
                *map.entry(w).or_default() |= f;
            }
        }
        for p in &probes {
            let want = map.get(p.as_str()).copied().unwrap_or(0);
            assert_eq!(words.flags(p), want, "{p:?}");
        }
    }

    #[test]
    fn reader_pronouns_lowercase_is_their_lowercase() {
        let mut want: Vec<String> = READER_PRONOUNS.iter().map(|w| w.to_lowercase()).collect();
        want.sort_unstable();
        want.dedup();
        let mut got = READER_PRONOUNS_LOWERCASE.to_vec();
        got.sort_unstable();
        assert_eq!(got, want);
    }

    #[test]
    fn token_flags_answer_like_the_lists() {
        let lex = Lexicon::new();
        let probes = probes(&lex);
        let mut stops = 0;
        for p in &probes {
            let f = lex.token_flags(p);
            assert_eq!(f & STOP != 0, STOPWORDS.contains(&p.as_str()), "{p:?}");
            assert_eq!(f & STOP != 0, lex.is_stop(p), "{p:?}");
            let phrases = lex.phrases.values().flatten();
            let (mut second, mut one) = (false, false);
            for (_, toks) in phrases {
                second |= toks.get(1) == Some(&p.as_str());
                one |= toks.len() == 1 && toks[0] == p;
            }
            assert_eq!(
                f & PHRASE_START != 0,
                lex.phrases.contains_key(p.as_str()),
                "{p:?}"
            );
            assert_eq!(f & PHRASE_SECOND != 0, second, "{p:?}");
            assert_eq!(f & PHRASE_ONE != 0, one, "{p:?}");
            let reader = READER_PRONOUNS.iter().any(|r| r.to_lowercase() == *p);
            assert_eq!(f & READER != 0, reader, "{p:?}");
            assert_eq!(
                f & !(STOP | PHRASE_START | PHRASE_SECOND | PHRASE_ONE | READER),
                0,
                "{p:?}"
            );
            stops += usize::from(f & STOP != 0);
        }
        // The seeds' tokens include stop words.
        assert!(stops > 100);
    }

    #[test]
    fn pairs_answer_like_contains() {
        let texts = [
            "",
            "a",
            "Wir verwenden Cookies und verarbeiten Ihre Daten. Stimmen Sie zu?",
            "newsletter abonnieren: e-mail-adresse eingeben",
            "ÄÖÜ ß „Zitat“ – 中文",
        ];
        let mut pats: Vec<String> = CONSENT_STEMS
            .iter()
            .chain(NEWSLETTER_STEMS)
            .map(|s| s.to_string())
            .collect();
        pats.extend(["", "a", "cookies", "zitat", "ß „", "文", "ihre daten"].map(String::from));
        for t in texts {
            let t = t.to_lowercase();
            let pairs = Pairs::of(&t);
            for p in &pats {
                assert_eq!(pairs.contains(&t, p), t.contains(p.as_str()), "{t:?} {p:?}");
            }
        }
    }

    #[test]
    fn stop_words_cover_german_and_english() {
        let lex = Lexicon::new();
        for w in ["und", "der", "über", "the", "and", "of"] {
            assert!(lex.is_stop(w), "{w}");
        }
        assert!(!lex.is_stop("nordkorea"));
    }
}
