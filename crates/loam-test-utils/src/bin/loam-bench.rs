//! `loam-bench`: the benchmarks behind `cargo xtask bench`, each figure beside a baseline
//! measured in the same run. Not wired yet: the benchmark bodies need loam-node.

fn main() {
    println!("benchmarks: not yet wired");
}
