//! Builds the n-gram scorer's tables (uni- to trigrams, four- and five-grams by script; see
//! `src/table.rs`) from the models of the compiled-in languages, so that no process spends
//! the seconds it takes at start.

#[allow(dead_code)]
#[path = "src/table.rs"]
mod table;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=src/table.rs");
    // ISO 639-1 code and the model file of lingua's crate, for each compiled-in language.
    let files = [
        #[cfg(feature = "all-languages")]
        (
            "af",
            lingua_afrikaans_language_model::AFRIKAANS_MODELS_DIRECTORY.get_file("ngrams.fst"),
        ),
        #[cfg(feature = "all-languages")]
        (
            "sq",
            lingua_albanian_language_model::ALBANIAN_MODELS_DIRECTORY.get_file("ngrams.fst"),
        ),
        #[cfg(feature = "common-languages")]
        (
            "ar",
            lingua_arabic_language_model::ARABIC_MODELS_DIRECTORY.get_file("ngrams.fst"),
        ),
        #[cfg(feature = "all-languages")]
        (
            "hy",
            lingua_armenian_language_model::ARMENIAN_MODELS_DIRECTORY.get_file("ngrams.fst"),
        ),
        #[cfg(feature = "all-languages")]
        (
            "az",
            lingua_azerbaijani_language_model::AZERBAIJANI_MODELS_DIRECTORY.get_file("ngrams.fst"),
        ),
        #[cfg(feature = "all-languages")]
        (
            "eu",
            lingua_basque_language_model::BASQUE_MODELS_DIRECTORY.get_file("ngrams.fst"),
        ),
        #[cfg(feature = "all-languages")]
        (
            "be",
            lingua_belarusian_language_model::BELARUSIAN_MODELS_DIRECTORY.get_file("ngrams.fst"),
        ),
        #[cfg(feature = "all-languages")]
        (
            "bn",
            lingua_bengali_language_model::BENGALI_MODELS_DIRECTORY.get_file("ngrams.fst"),
        ),
        #[cfg(feature = "common-languages")]
        (
            "nb",
            lingua_bokmal_language_model::BOKMAL_MODELS_DIRECTORY.get_file("ngrams.fst"),
        ),
        #[cfg(feature = "all-languages")]
        (
            "bs",
            lingua_bosnian_language_model::BOSNIAN_MODELS_DIRECTORY.get_file("ngrams.fst"),
        ),
        #[cfg(feature = "common-languages")]
        (
            "bg",
            lingua_bulgarian_language_model::BULGARIAN_MODELS_DIRECTORY.get_file("ngrams.fst"),
        ),
        #[cfg(feature = "all-languages")]
        (
            "ca",
            lingua_catalan_language_model::CATALAN_MODELS_DIRECTORY.get_file("ngrams.fst"),
        ),
        #[cfg(feature = "common-languages")]
        (
            "zh",
            lingua_chinese_language_model::CHINESE_MODELS_DIRECTORY.get_file("ngrams.fst"),
        ),
        #[cfg(feature = "common-languages")]
        (
            "hr",
            lingua_croatian_language_model::CROATIAN_MODELS_DIRECTORY.get_file("ngrams.fst"),
        ),
        #[cfg(feature = "common-languages")]
        (
            "cs",
            lingua_czech_language_model::CZECH_MODELS_DIRECTORY.get_file("ngrams.fst"),
        ),
        #[cfg(feature = "common-languages")]
        (
            "da",
            lingua_danish_language_model::DANISH_MODELS_DIRECTORY.get_file("ngrams.fst"),
        ),
        #[cfg(feature = "common-languages")]
        (
            "nl",
            lingua_dutch_language_model::DUTCH_MODELS_DIRECTORY.get_file("ngrams.fst"),
        ),
        #[cfg(feature = "common-languages")]
        (
            "en",
            lingua_english_language_model::ENGLISH_MODELS_DIRECTORY.get_file("ngrams.fst"),
        ),
        #[cfg(feature = "all-languages")]
        (
            "eo",
            lingua_esperanto_language_model::ESPERANTO_MODELS_DIRECTORY.get_file("ngrams.fst"),
        ),
        #[cfg(feature = "all-languages")]
        (
            "et",
            lingua_estonian_language_model::ESTONIAN_MODELS_DIRECTORY.get_file("ngrams.fst"),
        ),
        #[cfg(feature = "common-languages")]
        (
            "fi",
            lingua_finnish_language_model::FINNISH_MODELS_DIRECTORY.get_file("ngrams.fst"),
        ),
        #[cfg(feature = "common-languages")]
        (
            "fr",
            lingua_french_language_model::FRENCH_MODELS_DIRECTORY.get_file("ngrams.fst"),
        ),
        #[cfg(feature = "all-languages")]
        (
            "lg",
            lingua_ganda_language_model::GANDA_MODELS_DIRECTORY.get_file("ngrams.fst"),
        ),
        #[cfg(feature = "all-languages")]
        (
            "ka",
            lingua_georgian_language_model::GEORGIAN_MODELS_DIRECTORY.get_file("ngrams.fst"),
        ),
        #[cfg(feature = "common-languages")]
        (
            "de",
            lingua_german_language_model::GERMAN_MODELS_DIRECTORY.get_file("ngrams.fst"),
        ),
        #[cfg(feature = "common-languages")]
        (
            "el",
            lingua_greek_language_model::GREEK_MODELS_DIRECTORY.get_file("ngrams.fst"),
        ),
        #[cfg(feature = "all-languages")]
        (
            "gu",
            lingua_gujarati_language_model::GUJARATI_MODELS_DIRECTORY.get_file("ngrams.fst"),
        ),
        #[cfg(feature = "all-languages")]
        (
            "he",
            lingua_hebrew_language_model::HEBREW_MODELS_DIRECTORY.get_file("ngrams.fst"),
        ),
        #[cfg(feature = "all-languages")]
        (
            "hi",
            lingua_hindi_language_model::HINDI_MODELS_DIRECTORY.get_file("ngrams.fst"),
        ),
        #[cfg(feature = "common-languages")]
        (
            "hu",
            lingua_hungarian_language_model::HUNGARIAN_MODELS_DIRECTORY.get_file("ngrams.fst"),
        ),
        #[cfg(feature = "all-languages")]
        (
            "is",
            lingua_icelandic_language_model::ICELANDIC_MODELS_DIRECTORY.get_file("ngrams.fst"),
        ),
        #[cfg(feature = "all-languages")]
        (
            "id",
            lingua_indonesian_language_model::INDONESIAN_MODELS_DIRECTORY.get_file("ngrams.fst"),
        ),
        #[cfg(feature = "all-languages")]
        (
            "ga",
            lingua_irish_language_model::IRISH_MODELS_DIRECTORY.get_file("ngrams.fst"),
        ),
        #[cfg(feature = "common-languages")]
        (
            "it",
            lingua_italian_language_model::ITALIAN_MODELS_DIRECTORY.get_file("ngrams.fst"),
        ),
        #[cfg(feature = "common-languages")]
        (
            "ja",
            lingua_japanese_language_model::JAPANESE_MODELS_DIRECTORY.get_file("ngrams.fst"),
        ),
        #[cfg(feature = "all-languages")]
        (
            "kk",
            lingua_kazakh_language_model::KAZAKH_MODELS_DIRECTORY.get_file("ngrams.fst"),
        ),
        #[cfg(feature = "common-languages")]
        (
            "ko",
            lingua_korean_language_model::KOREAN_MODELS_DIRECTORY.get_file("ngrams.fst"),
        ),
        #[cfg(feature = "all-languages")]
        (
            "la",
            lingua_latin_language_model::LATIN_MODELS_DIRECTORY.get_file("ngrams.fst"),
        ),
        #[cfg(feature = "all-languages")]
        (
            "lv",
            lingua_latvian_language_model::LATVIAN_MODELS_DIRECTORY.get_file("ngrams.fst"),
        ),
        #[cfg(feature = "all-languages")]
        (
            "lt",
            lingua_lithuanian_language_model::LITHUANIAN_MODELS_DIRECTORY.get_file("ngrams.fst"),
        ),
        #[cfg(feature = "all-languages")]
        (
            "mk",
            lingua_macedonian_language_model::MACEDONIAN_MODELS_DIRECTORY.get_file("ngrams.fst"),
        ),
        #[cfg(feature = "all-languages")]
        (
            "ms",
            lingua_malay_language_model::MALAY_MODELS_DIRECTORY.get_file("ngrams.fst"),
        ),
        #[cfg(feature = "all-languages")]
        (
            "mi",
            lingua_maori_language_model::MAORI_MODELS_DIRECTORY.get_file("ngrams.fst"),
        ),
        #[cfg(feature = "all-languages")]
        (
            "mr",
            lingua_marathi_language_model::MARATHI_MODELS_DIRECTORY.get_file("ngrams.fst"),
        ),
        #[cfg(feature = "all-languages")]
        (
            "mn",
            lingua_mongolian_language_model::MONGOLIAN_MODELS_DIRECTORY.get_file("ngrams.fst"),
        ),
        #[cfg(feature = "all-languages")]
        (
            "nn",
            lingua_nynorsk_language_model::NYNORSK_MODELS_DIRECTORY.get_file("ngrams.fst"),
        ),
        #[cfg(feature = "all-languages")]
        (
            "fa",
            lingua_persian_language_model::PERSIAN_MODELS_DIRECTORY.get_file("ngrams.fst"),
        ),
        #[cfg(feature = "common-languages")]
        (
            "pl",
            lingua_polish_language_model::POLISH_MODELS_DIRECTORY.get_file("ngrams.fst"),
        ),
        #[cfg(feature = "common-languages")]
        (
            "pt",
            lingua_portuguese_language_model::PORTUGUESE_MODELS_DIRECTORY.get_file("ngrams.fst"),
        ),
        #[cfg(feature = "all-languages")]
        (
            "pa",
            lingua_punjabi_language_model::PUNJABI_MODELS_DIRECTORY.get_file("ngrams.fst"),
        ),
        #[cfg(feature = "common-languages")]
        (
            "ro",
            lingua_romanian_language_model::ROMANIAN_MODELS_DIRECTORY.get_file("ngrams.fst"),
        ),
        #[cfg(feature = "common-languages")]
        (
            "ru",
            lingua_russian_language_model::RUSSIAN_MODELS_DIRECTORY.get_file("ngrams.fst"),
        ),
        #[cfg(feature = "all-languages")]
        (
            "sr",
            lingua_serbian_language_model::SERBIAN_MODELS_DIRECTORY.get_file("ngrams.fst"),
        ),
        #[cfg(feature = "all-languages")]
        (
            "sn",
            lingua_shona_language_model::SHONA_MODELS_DIRECTORY.get_file("ngrams.fst"),
        ),
        #[cfg(feature = "common-languages")]
        (
            "sk",
            lingua_slovak_language_model::SLOVAK_MODELS_DIRECTORY.get_file("ngrams.fst"),
        ),
        #[cfg(feature = "all-languages")]
        (
            "sl",
            lingua_slovene_language_model::SLOVENE_MODELS_DIRECTORY.get_file("ngrams.fst"),
        ),
        #[cfg(feature = "all-languages")]
        (
            "so",
            lingua_somali_language_model::SOMALI_MODELS_DIRECTORY.get_file("ngrams.fst"),
        ),
        #[cfg(feature = "all-languages")]
        (
            "st",
            lingua_sotho_language_model::SOTHO_MODELS_DIRECTORY.get_file("ngrams.fst"),
        ),
        #[cfg(feature = "common-languages")]
        (
            "es",
            lingua_spanish_language_model::SPANISH_MODELS_DIRECTORY.get_file("ngrams.fst"),
        ),
        #[cfg(feature = "all-languages")]
        (
            "sw",
            lingua_swahili_language_model::SWAHILI_MODELS_DIRECTORY.get_file("ngrams.fst"),
        ),
        #[cfg(feature = "common-languages")]
        (
            "sv",
            lingua_swedish_language_model::SWEDISH_MODELS_DIRECTORY.get_file("ngrams.fst"),
        ),
        #[cfg(feature = "all-languages")]
        (
            "tl",
            lingua_tagalog_language_model::TAGALOG_MODELS_DIRECTORY.get_file("ngrams.fst"),
        ),
        #[cfg(feature = "all-languages")]
        (
            "ta",
            lingua_tamil_language_model::TAMIL_MODELS_DIRECTORY.get_file("ngrams.fst"),
        ),
        #[cfg(feature = "all-languages")]
        (
            "te",
            lingua_telugu_language_model::TELUGU_MODELS_DIRECTORY.get_file("ngrams.fst"),
        ),
        #[cfg(feature = "all-languages")]
        (
            "th",
            lingua_thai_language_model::THAI_MODELS_DIRECTORY.get_file("ngrams.fst"),
        ),
        #[cfg(feature = "all-languages")]
        (
            "ts",
            lingua_tsonga_language_model::TSONGA_MODELS_DIRECTORY.get_file("ngrams.fst"),
        ),
        #[cfg(feature = "all-languages")]
        (
            "tn",
            lingua_tswana_language_model::TSWANA_MODELS_DIRECTORY.get_file("ngrams.fst"),
        ),
        #[cfg(feature = "common-languages")]
        (
            "tr",
            lingua_turkish_language_model::TURKISH_MODELS_DIRECTORY.get_file("ngrams.fst"),
        ),
        #[cfg(feature = "common-languages")]
        (
            "uk",
            lingua_ukrainian_language_model::UKRAINIAN_MODELS_DIRECTORY.get_file("ngrams.fst"),
        ),
        #[cfg(feature = "all-languages")]
        (
            "ur",
            lingua_urdu_language_model::URDU_MODELS_DIRECTORY.get_file("ngrams.fst"),
        ),
        #[cfg(feature = "all-languages")]
        (
            "vi",
            lingua_vietnamese_language_model::VIETNAMESE_MODELS_DIRECTORY.get_file("ngrams.fst"),
        ),
        #[cfg(feature = "all-languages")]
        (
            "cy",
            lingua_welsh_language_model::WELSH_MODELS_DIRECTORY.get_file("ngrams.fst"),
        ),
        #[cfg(feature = "all-languages")]
        (
            "xh",
            lingua_xhosa_language_model::XHOSA_MODELS_DIRECTORY.get_file("ngrams.fst"),
        ),
        #[cfg(feature = "all-languages")]
        (
            "yo",
            lingua_yoruba_language_model::YORUBA_MODELS_DIRECTORY.get_file("ngrams.fst"),
        ),
        #[cfg(feature = "all-languages")]
        (
            "zu",
            lingua_zulu_language_model::ZULU_MODELS_DIRECTORY.get_file("ngrams.fst"),
        ),
    ];
    let mut models: Vec<(&str, &[u8])> = files
        .iter()
        .filter_map(|(code, file)| Some((*code, file.as_ref()?.contents())))
        .collect();
    models.sort_by_key(|m| m.0);
    let out = std::path::PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let every: fn(&str) -> bool = |_| true;
    let not_latin: fn(&str) -> bool = |code| !table::in_latin_table(code);
    for (name, spec, holds) in [
        ("ngram-table.bin", table::SHORT, every),
        (
            "ngram-table-45-latin.bin",
            table::LONG_LATIN,
            table::in_latin_table,
        ),
        ("ngram-table-45-other.bin", table::LONG_OTHER, not_latin),
    ] {
        let mut bytes = table::build(spec, &models, holds);
        if spec != table::SHORT {
            bytes = table::group(spec, bytes);
        }
        std::fs::write(out.join(name), bytes).expect("the table is written to OUT_DIR");
    }
}
