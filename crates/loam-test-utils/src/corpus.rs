//! Deterministic gardens of generated notes, and the searches people would run on them.
//!
//! A [`Corpus`] is fixed by `(seed, count, approx_bytes)`: the same three numbers give the
//! same notes, byte for byte, so a benchmark run can be repeated and compared with another
//! implementation fed the same input. Notes read like markdown notes in a made-up language
//! ([`crate::vocabulary`]): a title of 2–5 words, paragraphs (some under a `##` heading),
//! `[[wikilinks]]` to other notes of the corpus (some with an alias, a few to pages that do
//! not exist, as real gardens have), and `#tags`, some nested (`#area/topic`).
//!
//! Each note is generated from its own sub-seed, so [`Corpus::note`] gives note `i` without
//! generating the ones before it and a large corpus can be streamed instead of held.

use std::borrow::Borrow;
use std::collections::HashSet;
use std::fs::File;
use std::io::Write;
use std::path::Path;

use rand::rngs::Xoshiro256PlusPlus;
use rand::{Rng, RngExt, SeedableRng};

use crate::Error;
use crate::vocabulary::{Vocabulary, WORD_COUNT};

/// One generated note, as a member would have typed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    /// Unique within its corpus, compared case-insensitively.
    pub title: String,
    /// Markdown; contains the links and tags below.
    pub body: String,
    /// The tags written in the body, without `#`.
    pub tags: Vec<String>,
    /// The titles the body links to with `[[…]]`, in order (may repeat).
    pub links: Vec<String>,
}

/// A seeded corpus: its vocabulary, every title, and the notes on demand.
#[derive(Debug, Clone)]
pub struct Corpus {
    seed: u64,
    approx_bytes: usize,
    vocabulary: Vocabulary,
    titles: Vec<String>,
    title_keys: HashSet<String>,
    tags: Vec<String>,
}

/// Ranks below this are the language's function words ("the", "of"): nobody searches them.
const FUNCTION_WORD_RANKS: usize = 30;
/// How many distinct tags a corpus uses.
const TAG_COUNT: usize = 60;

/// Independent random streams derived from one seed.
#[derive(Debug, Clone, Copy)]
enum Stream {
    Vocabulary,
    Titles,
    Tags,
    Note,
    Queries,
}

impl Corpus {
    /// The corpus of `count` notes of about `approx_bytes` each (between half and one and a
    /// half times that, averaging `approx_bytes`) generated from `seed`.
    pub fn new(seed: u64, count: usize, approx_bytes: usize) -> Self {
        let vocabulary = Vocabulary::new(sub_seed(seed, Stream::Vocabulary, 0));
        let tags = generate_tags(&vocabulary, sub_seed(seed, Stream::Tags, 0));
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(sub_seed(seed, Stream::Titles, 0));
        let mut titles = Vec::with_capacity(count);
        let mut title_keys = HashSet::with_capacity(count);
        while titles.len() < count {
            let title = phrase(&vocabulary, &mut rng, 2..=5);
            if title_keys.insert(title.to_lowercase()) {
                titles.push(title);
            }
        }
        Corpus {
            seed,
            approx_bytes,
            vocabulary,
            titles,
            title_keys,
            tags,
        }
    }

    pub fn len(&self) -> usize {
        self.titles.len()
    }

    pub fn is_empty(&self) -> bool {
        self.titles.is_empty()
    }

    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// The words the notes are written in, with their frequencies.
    pub fn vocabulary(&self) -> &Vocabulary {
        &self.vocabulary
    }

    /// The title of every note, in note order.
    pub fn titles(&self) -> &[String] {
        &self.titles
    }

    /// Note `index` (`0..len()`).
    ///
    /// # Panics
    /// When `index` is out of range.
    pub fn note(&self, index: usize) -> Note {
        let mut rng =
            Xoshiro256PlusPlus::seed_from_u64(sub_seed(self.seed, Stream::Note, index as u64));
        NoteWriter::new(self, index, &mut rng).write()
    }

    /// Every note in order, generated one at a time.
    pub fn notes(&self) -> impl ExactSizeIterator<Item = Note> + '_ {
        (0..self.len()).map(|index| self.note(index))
    }

    /// `n` search queries of one or two words, as [`queries`] describes.
    pub fn queries(&self, n: usize) -> Vec<String> {
        generate_queries(&self.vocabulary, self.seed, n)
    }
}

/// All notes of [`Corpus::new`]`(seed, count, approx_bytes)`.
pub fn notes(seed: u64, count: usize, approx_bytes: usize) -> Vec<Note> {
    Corpus::new(seed, count, approx_bytes).notes().collect()
}

/// `n` search queries for the corpus of the same `seed`, one or two words each.
///
/// Words are drawn as people search: most often by their frequency in the corpus (common
/// topic words, leaving out the few function words nobody types), and a third of the time
/// uniformly over the whole vocabulary (the specific, rare word someone remembers). So some
/// queries match most notes and some only a handful, and the mix is fixed by the seed.
pub fn queries(seed: u64, n: usize) -> Vec<String> {
    let vocabulary = Vocabulary::new(sub_seed(seed, Stream::Vocabulary, 0));
    generate_queries(&vocabulary, seed, n)
}

/// Writes each note to `dir/<title>.md` (the body; the file name is the title, as in an
/// Obsidian vault), for tools that search files, like the ripgrep baseline. `dir` is created
/// if needed; an existing file of the same name is an error, never overwritten.
pub fn write_as_files<I, N>(dir: &Path, notes: I) -> Result<(), Error>
where
    I: IntoIterator<Item = N>,
    N: Borrow<Note>,
{
    std::fs::create_dir_all(dir).map_err(|source| Error::Write {
        path: dir.to_path_buf(),
        source,
    })?;
    for note in notes {
        let note = note.borrow();
        let bad_name = note.title.is_empty()
            || note.title == "."
            || note.title == ".."
            || note.title.contains(['/', '\\', '\0']);
        if bad_name {
            return Err(Error::FileName {
                title: note.title.clone(),
            });
        }
        let path = dir.join(format!("{}.md", note.title));
        File::create_new(&path)
            .and_then(|mut file| file.write_all(note.body.as_bytes()))
            .map_err(|source| Error::Write { path, source })?;
    }
    Ok(())
}

fn generate_queries(vocabulary: &Vocabulary, seed: u64, n: usize) -> Vec<String> {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(sub_seed(seed, Stream::Queries, 0));
    let draw = |rng: &mut Xoshiro256PlusPlus| {
        if rng.random_ratio(1, 3) {
            rng.random_range(FUNCTION_WORD_RANKS..WORD_COUNT)
        } else {
            vocabulary.sample_rank_from(rng, FUNCTION_WORD_RANKS)
        }
    };
    (0..n)
        .map(|_| {
            let first = draw(&mut rng);
            if rng.random_bool(0.6) {
                return vocabulary.word(first).to_owned();
            }
            let mut second = draw(&mut rng);
            while second == first {
                second = draw(&mut rng);
            }
            format!("{} {}", vocabulary.word(first), vocabulary.word(second))
        })
        .collect()
}

/// Tags are vocabulary words; a quarter of them nested under another tag (`#area/topic`).
fn generate_tags(vocabulary: &Vocabulary, seed: u64) -> Vec<String> {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let mut tags: Vec<String> = Vec::with_capacity(TAG_COUNT);
    while tags.len() < TAG_COUNT {
        let word = vocabulary.sample_rank_from(&mut rng, FUNCTION_WORD_RANKS);
        let word = vocabulary.word(word);
        let tag = match tags.first() {
            Some(_) if rng.random_ratio(1, 4) => {
                let parent = &tags[rng.random_range(0..tags.len())];
                let parent = parent.split('/').next().unwrap_or(parent);
                format!("{parent}/{word}")
            }
            _ => word.to_owned(),
        };
        if !tags.contains(&tag) {
            tags.push(tag);
        }
    }
    tags
}

/// Writes the body of one note.
struct NoteWriter<'a, R> {
    corpus: &'a Corpus,
    index: usize,
    rng: &'a mut R,
    body: String,
    target: usize,
    links: Vec<String>,
    tags: Vec<String>,
    /// Tags still to be written inside a sentence.
    inline_tags: Vec<String>,
    /// Tags written inside a sentence; the others go on the last line.
    placed_tags: Vec<String>,
}

impl<'a, R: Rng> NoteWriter<'a, R> {
    fn new(corpus: &'a Corpus, index: usize, rng: &'a mut R) -> Self {
        let low = corpus.approx_bytes / 2;
        let target = rng.random_range(low..=low + corpus.approx_bytes);
        // Most notes have a tag or two, some none, a few three.
        let tag_count = match rng.random_range(0..10) {
            0..2 => 0,
            2..6 => 1,
            6..9 => 2,
            _ => 3,
        };
        let mut tags: Vec<String> = Vec::with_capacity(tag_count);
        while tags.len() < tag_count {
            // Skewed: the first tags of the list are used far more than the last.
            let u: f64 = rng.random();
            let tag = &corpus.tags[((u * u) * TAG_COUNT as f64) as usize % TAG_COUNT];
            if !tags.contains(tag) {
                tags.push(tag.clone());
            }
        }
        let inline_tags = tags
            .iter()
            .filter(|_| rng.random_bool(0.5))
            .cloned()
            .collect();
        NoteWriter {
            corpus,
            index,
            rng,
            body: String::with_capacity(target + 128),
            target,
            links: Vec::new(),
            tags,
            inline_tags,
            placed_tags: Vec::new(),
        }
    }

    fn write(mut self) -> Note {
        'paragraphs: loop {
            if !self.body.is_empty() {
                self.body.push_str("\n\n");
                if self.rng.random_bool(0.2) {
                    let heading = phrase(&self.corpus.vocabulary, self.rng, 1..=4);
                    self.body.push_str("## ");
                    self.body.push_str(&heading);
                    self.body.push_str("\n\n");
                }
            }
            let sentences = self.rng.random_range(2..=6);
            for sentence in 0..sentences {
                if sentence > 0 {
                    self.body.push(' ');
                }
                self.sentence();
                if self.body.len() >= self.target {
                    break 'paragraphs;
                }
            }
        }
        let trailing: Vec<String> = self
            .tags
            .iter()
            .filter(|tag| !self.placed_tags.contains(tag))
            .map(|tag| format!("#{tag}"))
            .collect();
        if !trailing.is_empty() {
            self.body.push_str("\n\n");
            self.body.push_str(&trailing.join(" "));
        }
        self.body.push('\n');
        Note {
            title: self.corpus.titles[self.index].clone(),
            body: self.body,
            tags: self.tags,
            links: self.links,
        }
    }

    /// One sentence: capitalised, 5–20 words, sometimes a link or a tag in it, a full stop.
    fn sentence(&mut self) {
        let words = self.rng.random_range(5..=20);
        for position in 0..words {
            if position > 0 {
                self.body.push(' ');
            }
            if position > 0 && self.rng.random_bool(0.015) {
                self.link();
                continue;
            }
            let word = self.corpus.vocabulary.sample(self.rng);
            if position == 0 {
                push_capitalised(&mut self.body, word);
            } else {
                self.body.push_str(word);
            }
            if self.body.len() >= self.target {
                break;
            }
        }
        if !self.inline_tags.is_empty() && self.rng.random_bool(0.2) {
            let tag = self.inline_tags.remove(0);
            self.body.push_str(" #");
            self.body.push_str(&tag);
            self.placed_tags.push(tag);
        }
        self.body.push('.');
    }

    /// `[[Title]]` or `[[Title|alias]]`: often to one of the corpus' hub notes (its first
    /// percent), mostly to any other note, now and then to a page nobody wrote yet.
    fn link(&mut self) {
        let count = self.corpus.len();
        let roll = self.rng.random_range(0..100);
        let target = if roll < 5 || count < 2 {
            self.missing_title()
        } else {
            let range = if roll < 35 {
                (count / 100).max(2)
            } else {
                count
            };
            let mut other = self.rng.random_range(0..range);
            if other == self.index {
                other = (other + 1) % count;
            }
            self.corpus.titles[other].clone()
        };
        self.body.push_str("[[");
        self.body.push_str(&target);
        if self.rng.random_bool(0.1) {
            let alias = phrase(&self.corpus.vocabulary, self.rng, 1..=2).to_lowercase();
            self.body.push('|');
            self.body.push_str(&alias);
        }
        self.body.push_str("]]");
        self.links.push(target);
    }

    fn missing_title(&mut self) -> String {
        loop {
            let title = phrase(&self.corpus.vocabulary, self.rng, 2..=3);
            if !self.corpus.title_keys.contains(&title.to_lowercase()) {
                return title;
            }
        }
    }
}

/// Words drawn by frequency (no function words), the first capitalised: a title or heading.
fn phrase<R: Rng + ?Sized>(
    vocabulary: &Vocabulary,
    rng: &mut R,
    words: std::ops::RangeInclusive<usize>,
) -> String {
    let count = rng.random_range(words);
    let mut phrase = String::new();
    for position in 0..count {
        let word = vocabulary.word(vocabulary.sample_rank_from(rng, FUNCTION_WORD_RANKS));
        if position == 0 {
            push_capitalised(&mut phrase, word);
        } else {
            phrase.push(' ');
            phrase.push_str(word);
        }
    }
    phrase
}

fn push_capitalised(text: &mut String, word: &str) {
    let mut chars = word.chars();
    if let Some(first) = chars.next() {
        text.extend(first.to_uppercase());
        text.push_str(chars.as_str());
    }
}

/// A seed for one stream (and one item of it) derived from the corpus seed with SplitMix64,
/// so streams do not overlap and adding a stream changes none of the others.
fn sub_seed(seed: u64, stream: Stream, index: u64) -> u64 {
    splitmix64(splitmix64(seed ^ splitmix64(stream as u64 + 1)) ^ index)
}

fn splitmix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every random test prints its seed; LOAM_TEST_SEED replays one.
    fn seed() -> u64 {
        let seed = std::env::var("LOAM_TEST_SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(20_261_120);
        println!("seed {seed} (replay with LOAM_TEST_SEED={seed})");
        seed
    }

    #[test]
    fn same_seed_gives_the_same_corpus() {
        let seed = seed();
        assert_eq!(notes(seed, 200, 2_000), notes(seed, 200, 2_000));
        assert_ne!(notes(seed, 20, 2_000), notes(seed + 1, 20, 2_000));
        assert_eq!(queries(seed, 100), queries(seed, 100));
        assert_eq!(queries(seed, 100), Corpus::new(seed, 10, 100).queries(100));
    }

    #[test]
    fn a_note_does_not_depend_on_the_corpus_being_generated_in_order() {
        let seed = seed();
        let corpus = Corpus::new(seed, 50, 1_000);
        let all: Vec<Note> = corpus.notes().collect();
        assert_eq!(corpus.note(37), all[37]);
    }

    #[test]
    fn notes_are_about_the_size_asked_for() {
        let seed = seed();
        for approx_bytes in [500, 2_000, 8_000] {
            let corpus = notes(seed, 300, approx_bytes);
            let total: usize = corpus.iter().map(|note| note.body.len()).sum();
            let mean = total as f64 / corpus.len() as f64;
            let ratio = mean / approx_bytes as f64;
            assert!(
                (0.9..1.15).contains(&ratio),
                "asked {approx_bytes} bytes, mean {mean:.0}"
            );
            for note in &corpus {
                assert!(note.body.len() >= approx_bytes / 2);
                assert!(
                    note.body.len() <= approx_bytes * 3 / 2 + 400,
                    "{}",
                    note.body
                );
            }
        }
    }

    #[test]
    fn titles_are_unique_and_links_and_tags_are_in_the_body() {
        let seed = seed();
        let corpus = Corpus::new(seed, 2_000, 2_000);
        let keys: HashSet<String> = corpus.titles().iter().map(|t| t.to_lowercase()).collect();
        assert_eq!(keys.len(), corpus.len());

        let (mut links, mut broken, mut tags, mut nested) = (0, 0, 0, 0);
        for note in corpus.notes().take(500) {
            for link in &note.links {
                assert!(note.body.contains(&format!("[[{link}")), "{link}");
                assert_ne!(link, &note.title, "a note links to itself");
                links += 1;
                broken += usize::from(!keys.contains(&link.to_lowercase()));
            }
            for tag in &note.tags {
                assert!(note.body.contains(&format!("#{tag}")), "{tag}");
                tags += 1;
                nested += usize::from(tag.contains('/'));
            }
        }
        assert!(links > 500, "{links} links in 500 notes");
        assert!(
            broken > 0 && broken < links / 10,
            "{broken} of {links} broken"
        );
        assert!(tags > 300 && nested > 0, "{tags} tags, {nested} nested");
    }

    #[test]
    fn queries_reach_beyond_the_most_common_words() {
        let seed = seed();
        let corpus = Corpus::new(seed, 10, 100);
        let rank_of: std::collections::HashMap<&str, usize> = corpus
            .vocabulary()
            .words()
            .iter()
            .enumerate()
            .map(|(rank, word)| (word.as_str(), rank))
            .collect();
        let queries = corpus.queries(1_000);
        let ranks: Vec<usize> = queries
            .iter()
            .flat_map(|q| q.split(' '))
            .map(|word| rank_of[word])
            .collect();
        let two_words = queries.iter().filter(|q| q.contains(' ')).count();
        assert!(
            (300..500).contains(&two_words),
            "{two_words} two-word queries"
        );
        assert!(ranks.iter().all(|&rank| rank >= FUNCTION_WORD_RANKS));
        let common = ranks.iter().filter(|&&rank| rank < 1_000).count();
        let rare = ranks.iter().filter(|&&rank| rank >= 5_000).count();
        assert!(
            common > ranks.len() / 3,
            "{common} common of {}",
            ranks.len()
        );
        assert!(rare > ranks.len() / 10, "{rare} rare of {}", ranks.len());
    }

    #[test]
    fn writes_one_markdown_file_per_note() {
        let seed = seed();
        let dir = tempfile::tempdir().unwrap();
        let corpus = notes(seed, 30, 300);
        write_as_files(dir.path(), &corpus).unwrap();
        for note in &corpus {
            let text = std::fs::read_to_string(dir.path().join(format!("{}.md", note.title)));
            assert_eq!(text.unwrap(), note.body);
        }
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 30);
        // Writing again would overwrite; it fails instead.
        assert!(matches!(
            write_as_files(dir.path(), &corpus[..1]),
            Err(Error::Write { .. })
        ));
    }

    #[test]
    fn a_title_that_is_not_a_file_name_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let note = Note {
            title: "a/b".into(),
            body: String::new(),
            tags: vec![],
            links: vec![],
        };
        assert!(matches!(
            write_as_files(dir.path(), [note]),
            Err(Error::FileName { .. })
        ));
    }
}
