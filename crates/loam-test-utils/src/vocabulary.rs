//! A synthetic language: pronounceable made-up words used with Zipf frequencies.
//!
//! Real text follows Zipf's law: the word of frequency rank r turns up in proportion to
//! 1 / r^s, with s a little above 1 for English. Search cost depends on that shape (a few
//! words are everywhere, most are rare), so the corpus copies it with words nobody owns.
//! Frequent words are short, as in natural languages.

use std::collections::HashSet;

use rand::rngs::Xoshiro256PlusPlus;
use rand::{Rng, RngExt, SeedableRng};

/// How many distinct words the generated language has.
pub const WORD_COUNT: usize = 20_000;

/// The exponent s of the Zipf distribution (frequency of rank r ∝ 1 / r^s).
pub const ZIPF_EXPONENT: f64 = 1.07;

const ONSETS: &[&str] = &[
    "b", "c", "d", "f", "g", "h", "j", "k", "l", "m", "n", "p", "r", "s", "t", "v", "w", "z", "br",
    "cl", "dr", "fl", "gr", "pl", "st", "tr", "sh", "ch", "th", "",
];
const VOWELS: &[&str] = &[
    "a", "e", "i", "o", "u", "a", "e", "i", "o", "ai", "ea", "ou", "y",
];
const CODAS: &[&str] = &["", "", "", "n", "r", "l", "s", "m", "t", "nd", "rk", "st"];

/// Words by frequency rank (index 0 is the most frequent) and their Zipf distribution.
#[derive(Debug, Clone)]
pub struct Vocabulary {
    words: Vec<String>,
    /// cumulative[r] is the probability of drawing a word of rank ≤ r.
    cumulative: Vec<f64>,
}

impl Vocabulary {
    /// The [`WORD_COUNT`] words of the language generated from `seed`.
    pub fn new(seed: u64) -> Self {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
        let mut seen = HashSet::with_capacity(WORD_COUNT);
        let mut words = Vec::with_capacity(WORD_COUNT);
        while words.len() < WORD_COUNT {
            let word = pronounceable_word(&mut rng);
            if seen.insert(word.clone()) {
                words.push(word);
            }
        }
        // Short words get the high ranks; the sort is stable, so this stays deterministic.
        words.sort_by_key(String::len);

        let weights: Vec<f64> = (1..=WORD_COUNT)
            .map(|rank| (rank as f64).powf(-ZIPF_EXPONENT))
            .collect();
        let total: f64 = weights.iter().sum();
        let mut running = 0.0;
        let cumulative = weights
            .iter()
            .map(|weight| {
                running += weight / total;
                running
            })
            .collect();
        Vocabulary { words, cumulative }
    }

    /// All words, most frequent first.
    pub fn words(&self) -> &[String] {
        &self.words
    }

    /// The word of frequency rank `rank` (0 is the most frequent).
    pub fn word(&self, rank: usize) -> &str {
        &self.words[rank]
    }

    /// A frequency rank drawn from the Zipf distribution.
    pub fn sample_rank<R: Rng + ?Sized>(&self, rng: &mut R) -> usize {
        let u: f64 = rng.random();
        self.cumulative
            .partition_point(|&c| c < u)
            .min(WORD_COUNT - 1)
    }

    /// A rank drawn from the Zipf distribution restricted to ranks `min_rank..`.
    pub fn sample_rank_from<R: Rng + ?Sized>(&self, rng: &mut R, min_rank: usize) -> usize {
        let min_rank = min_rank.min(WORD_COUNT - 1);
        let below = if min_rank == 0 {
            0.0
        } else {
            self.cumulative[min_rank - 1]
        };
        let u = below + rng.random::<f64>() * (1.0 - below);
        self.cumulative
            .partition_point(|&c| c < u)
            .clamp(min_rank, WORD_COUNT - 1)
    }

    /// A word drawn with its Zipf frequency.
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> &str {
        self.word(self.sample_rank(rng))
    }
}

/// One to four syllables of consonant-vowel-consonant shape, lowercase ASCII.
fn pronounceable_word<R: Rng + ?Sized>(rng: &mut R) -> String {
    // Mostly two or three syllables; weights 2:4:3:1.
    let syllables = match rng.random_range(0..10) {
        0..2 => 1,
        2..6 => 2,
        6..9 => 3,
        _ => 4,
    };
    let mut word = String::new();
    for _ in 0..syllables {
        word.push_str(ONSETS[rng.random_range(0..ONSETS.len())]);
        word.push_str(VOWELS[rng.random_range(0..VOWELS.len())]);
        word.push_str(CODAS[rng.random_range(0..CODAS.len())]);
    }
    word
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_gives_same_words_and_other_seeds_do_not() {
        let a = Vocabulary::new(7);
        assert_eq!(a.words(), Vocabulary::new(7).words());
        assert_ne!(a.words(), Vocabulary::new(8).words());
        assert_eq!(a.words().len(), WORD_COUNT);
        let distinct: HashSet<&String> = a.words().iter().collect();
        assert_eq!(distinct.len(), WORD_COUNT);
        assert!(
            a.words()
                .iter()
                .all(|w| !w.is_empty() && w.bytes().all(|b| b.is_ascii_lowercase()))
        );
    }

    #[test]
    fn frequent_words_are_short() {
        let vocabulary = Vocabulary::new(1);
        assert!(vocabulary.word(0).len() <= vocabulary.word(WORD_COUNT - 1).len());
    }

    #[test]
    fn ranks_follow_zipf() {
        let seed = 42;
        println!("seed {seed}");
        let vocabulary = Vocabulary::new(seed);
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
        let draws = 200_000;
        let mut counts = vec![0usize; WORD_COUNT];
        for _ in 0..draws {
            counts[vocabulary.sample_rank(&mut rng)] += 1;
        }
        // Rank 1 is drawn about 2^1.07 ≈ 2.1 times as often as rank 2.
        let ratio = counts[0] as f64 / counts[1] as f64;
        assert!((1.9..2.3).contains(&ratio), "rank 1 / rank 2 = {ratio}");
        // And the tail is reached: a real share of draws is beyond rank 1,000.
        let tail: usize = counts[1000..].iter().sum();
        assert!(
            tail > draws / 10,
            "only {tail} of {draws} draws beyond rank 1000"
        );
    }

    #[test]
    fn restricted_sampling_stays_above_the_minimum() {
        let vocabulary = Vocabulary::new(3);
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(3);
        for _ in 0..10_000 {
            assert!(vocabulary.sample_rank_from(&mut rng, 50) >= 50);
        }
    }
}
