// Rust: iterators, a Vec, formatting.
fn fib(n: u64) -> u64 {
    let (mut a, mut b) = (0u64, 1u64);
    for _ in 0..n {
        let t = a + b;
        a = b;
        b = t;
    }
    a
}

fn main() {
    let v: Vec<u64> = (1..=20).map(fib).collect();
    println!("fib sum {}", v.iter().sum::<u64>());
}
