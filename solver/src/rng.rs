//! The deterministic pseudo-random numbers used by the generator and the heuristics.

/// SplitMix64: tiny, fast, and the same sequence on every platform and Rust version,
/// which keeps generated instances and heuristic runs reproducible to the byte.
#[derive(Debug, Clone)]
pub struct Rng(pub u64);

impl Rng {
    pub(crate) fn next_u64(&mut self) -> u64 {
        // SplitMix64.
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub(crate) fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }
    pub(crate) fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
    pub(crate) fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }
    /// Index drawn with probability proportional to `weights`.
    pub fn weighted(&mut self, weights: &[f64]) -> usize {
        let total: f64 = weights.iter().sum();
        let mut x = self.unit() * total;
        for (i, w) in weights.iter().enumerate() {
            if x < *w {
                return i;
            }
            x -= w;
        }
        weights.len() - 1
    }
    pub(crate) fn draw_hist(&mut self, hist: &[u32]) -> usize {
        let w: Vec<f64> = hist.iter().map(|&c| f64::from(c)).collect();
        self.weighted(&w)
    }
    /// A heavy-tailed popularity weight (Pareto, alpha 1.5): a few groups attract most
    /// conflict declarations.
    pub fn popularity(&mut self) -> f64 {
        (1.0 - self.unit()).powf(-1.0 / 1.5)
    }
}
