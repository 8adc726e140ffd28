//! The simulation's random numbers and its trace digest, both written out here rather than
//! taken from a crate: a seed must replay the same run after any dependency update, so the
//! generator and the hash are part of the replay contract and may never change silently.

use std::time::Duration;

/// SplitMix64 (Steele, Lea and Flood): one `u64` of state, every seed a full-period stream.
#[derive(Debug, Clone)]
pub(crate) struct Rng {
    state: u64,
}

impl Rng {
    pub(crate) fn new(seed: u64) -> Rng {
        Rng { state: seed }
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..bound` (`bound > 0`), by Lemire's multiply-shift (its bias is below
    /// 2^-32 for the small bounds used here).
    pub(crate) fn below(&mut self, bound: usize) -> usize {
        let wide = u128::from(self.next_u64()) * bound as u128;
        // The high half of a u64 x usize product is below `bound`.
        usize::try_from(wide >> 64).unwrap_or(0)
    }

    /// `true` with probability `p` (0 never, 1 always).
    pub(crate) fn chance(&mut self, p: f64) -> bool {
        if p <= 0.0 {
            return false;
        }
        if p >= 1.0 {
            return true;
        }
        // 53 random bits as a fraction in [0, 1).
        #[allow(clippy::cast_precision_loss)]
        let fraction = (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
        fraction < p
    }

    /// A duration in `min..=max`, uniform at nanosecond resolution.
    pub(crate) fn between(&mut self, min: Duration, max: Duration) -> Duration {
        let Some(span) = max.checked_sub(min).filter(|span| !span.is_zero()) else {
            return min;
        };
        let span = span.as_nanos();
        let offset = u128::from(self.next_u64()) % (span + 1);
        min + Duration::from_nanos(u64::try_from(offset).unwrap_or(u64::MAX))
    }
}

/// FNV-1a, 64 bits, over the run's events: what two runs of one seed must agree on.
#[derive(Debug, Clone)]
pub(crate) struct Digest {
    hash: u64,
    events: u64,
}

impl Default for Digest {
    fn default() -> Self {
        Digest {
            hash: 0xCBF2_9CE4_8422_2325,
            events: 0,
        }
    }
}

impl Digest {
    pub(crate) fn record(&mut self, words: &[u64]) {
        self.events += 1;
        for word in words {
            for byte in word.to_le_bytes() {
                self.hash ^= u64::from(byte);
                self.hash = self.hash.wrapping_mul(0x0000_0100_0000_01B3);
            }
        }
    }

    pub(crate) fn value(&self) -> u64 {
        self.hash
    }

    pub(crate) fn events(&self) -> u64 {
        self.events
    }
}

/// A hasher for the simulation's ids (sequential `u64`s): one multiply, no random keys, so a
/// table's iteration order is the same in every run of a seed.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct IdHasher(u64);

impl std::hash::Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(byte)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }

    fn write_u64(&mut self, id: u64) {
        // Fibonacci hashing: sequential ids spread over the high bits hashbrown reads.
        self.0 = (self.0 ^ id).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }

    fn write_usize(&mut self, id: usize) {
        self.write_u64(id as u64);
    }
}

/// A table keyed by id, with a deterministic order.
pub(crate) type IdMap<V> =
    std::collections::HashMap<u64, V, std::hash::BuildHasherDefault<IdHasher>>;

/// A time as one trace word (nanoseconds, saturating).
pub(crate) fn nanos(at: Duration) -> u64 {
    u64::try_from(at.as_nanos()).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::{Digest, Rng};
    use std::time::Duration;

    #[test]
    fn the_generator_and_the_digest_never_change() {
        // Pinned values: a change here breaks every recorded replay seed.
        let mut rng = Rng::new(0);
        assert_eq!(rng.next_u64(), 0xE220_A839_7B1D_CDAF);
        assert_eq!(rng.next_u64(), 0x6E78_9E6A_A1B9_65F4);
        let mut digest = Digest::default();
        digest.record(&[1, 2]);
        assert_eq!(digest.events(), 1);
        let again = {
            let mut d = Digest::default();
            d.record(&[1, 2]);
            d.value()
        };
        assert_eq!(digest.value(), again);
    }

    #[test]
    fn ranges_hold() {
        let mut rng = Rng::new(7);
        for _ in 0..10_000 {
            assert!(rng.below(3) < 3);
            let d = rng.between(Duration::from_millis(5), Duration::from_millis(9));
            assert!(d >= Duration::from_millis(5) && d <= Duration::from_millis(9));
        }
        assert!(!rng.chance(0.0));
        assert!(rng.chance(1.0));
        let hits = (0..10_000).filter(|_| rng.chance(0.25)).count();
        assert!((2_000..3_000).contains(&hits), "{hits}");
    }
}
