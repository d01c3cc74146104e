//! Column values into bit words (64 rows a word, bit `j` for row `j`): the range tests
//! and a boolean column's true and false rows, the step the kernel spends most of its
//! instructions on.
//!
//! Each function is compiled for several x86-64 levels by `multiversion` and picks one
//! at run time, once per block. On AVX-512 a compare yields its mask register, which is
//! the word itself; on AVX2 a compare and a `movemask` give 8 (i32), 4 (i64) or 32 (u8)
//! rows an instruction; elsewhere, and for a block's last partial word, the portable
//! loop runs (LLVM widens each bit to a lane and ors them: about 4 instructions a row).
//! The intrinsics are safe functions inside `#[target_feature]` functions, called only
//! from the copy compiled for those features (`match_target!`), so there is no `unsafe`.
//! The property tests of `bulk/tests.rs` compare every copy the machine runs with the
//! explainer, and `tests` below compares each with the portable loop on edge values.

// A word's loop indexes its 64 values by the bit it sets.
#![allow(clippy::needless_range_loop)]

use multiversion::multiversion;
use multiversion::target::match_target;

/// Bits of `f` over up to 64 values (bit `j` for `s[j]`); a fixed loop for a whole word.
#[inline(always)]
pub(super) fn bits<T: Copy>(s: &[T], f: impl Fn(T) -> bool) -> u64 {
    let mut w = 0u64;
    if let Ok(s) = <&[T; 64]>::try_from(s) {
        for j in 0..64 {
            w |= u64::from(f(s[j])) << j;
        }
    } else {
        for (j, x) in s.iter().enumerate().take(64) {
            w |= u64::from(f(*x)) << j;
        }
    }
    w
}

/// Known (`!= unknown`) and in `lo..=hi` (none when `bounds` is `None`), portably.
#[inline(always)]
fn range_portable<T: Copy + PartialOrd>(c: &[T], unknown: T, bounds: Option<(T, T)>) -> (u64, u64) {
    let k = bits(c, |x| x != unknown);
    let r = match bounds {
        Some((lo, hi)) => bits(c, |x| (lo <= x) & (x <= hi)),
        None => 0,
    };
    (k, r)
}

macro_rules! range_words {
    ($(#[$doc:meta])* $name:ident, $t:ty) => {
        $(#[$doc])*
        /// Writes, word by word over `s`, the rows whose value is known (`!= unknown`)
        /// and inside `lo..=hi` (outside when `neg`) to `t`, the known others to `f`;
        /// with `bounds` `None` no row is inside.
        #[multiversion(targets = "simd")]
        pub(super) fn $name(s: &[$t], unknown: $t, bounds: Option<($t, $t)>, neg: bool, t: &mut [u64], f: &mut [u64]) {
            let neg = if neg { !0u64 } else { 0 };
            for ((c, t), f) in s.chunks(64).zip(t.iter_mut()).zip(f.iter_mut()) {
                let (k, r) = match (<&[$t; 64]>::try_from(c), bounds) {
                    (Ok(c), Some((lo, hi))) => match_target! {
                        "x86_64+avx512f+avx512bw+avx512vl" => x86::v4::$name(c, unknown, lo, hi),
                        "x86_64+avx2" => x86::v3::$name(c, unknown, lo, hi),
                        _ => range_portable(c, unknown, Some((lo, hi))),
                    },
                    _ => range_portable(c, unknown, bounds),
                };
                let r = r ^ neg;
                *t = k & r;
                *f = k & !r;
            }
        }
    };
}

range_words!(
    /// An i32 column (days, integers).
    range_i32,
    i32
);
range_words!(
    /// An i64 column (money in fen).
    range_i64,
    i64
);
range_words!(
    /// A u8 column (codes).
    range_u8,
    u8
);
range_words!(
    /// A u32 column (text codes).
    range_u32,
    u32
);

/// A boolean column (1 true, 0 false, anything else unknown) as its true and false
/// words over `s`.
#[multiversion(targets = "simd")]
pub(super) fn bool_words(s: &[u8], t: &mut [u64], f: &mut [u64]) {
    for ((c, t), f) in s.chunks(64).zip(t.iter_mut()).zip(f.iter_mut()) {
        (*t, *f) = match <&[u8; 64]>::try_from(c) {
            Ok(c) => match_target! {
                "x86_64+avx512f+avx512bw+avx512vl" => x86::v4::bool_u8(c),
                "x86_64+avx2" => x86::v3::bool_u8(c),
                _ => (bits(c, |x| x == 1), bits(c, |x| x == 0)),
            },
            Err(_) => (bits(c, |x| x == 1), bits(c, |x| x == 0)),
        };
    }
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    //! Loads are written as `set` of the slice's elements in order, which LLVM folds
    //! into one unaligned vector load (no pointer, so no `unsafe`).

    pub(super) mod v4 {
        use std::arch::x86_64::*;

        #[target_feature(enable = "avx512f,avx512bw,avx512vl")]
        #[inline]
        fn ld8(c: &[u8; 64]) -> __m512i {
            let q = |i: usize| {
                let mut b = [0u8; 8];
                b.copy_from_slice(&c[8 * i..8 * i + 8]);
                i64::from_le_bytes(b)
            };
            _mm512_setr_epi64(q(0), q(1), q(2), q(3), q(4), q(5), q(6), q(7))
        }

        #[target_feature(enable = "avx512f,avx512bw,avx512vl")]
        #[inline]
        fn ld32(c: &[i32; 16]) -> __m512i {
            _mm512_setr_epi32(
                c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7], c[8], c[9], c[10], c[11], c[12], c[13], c[14], c[15],
            )
        }

        #[target_feature(enable = "avx512f,avx512bw,avx512vl")]
        #[inline]
        fn ld64(c: &[i64; 8]) -> __m512i {
            _mm512_setr_epi64(c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7])
        }

        #[target_feature(enable = "avx512f,avx512bw,avx512vl")]
        #[inline]
        pub fn range_i32(c: &[i32; 64], unknown: i32, lo: i32, hi: i32) -> (u64, u64) {
            let (u, l, h) = (_mm512_set1_epi32(unknown), _mm512_set1_epi32(lo), _mm512_set1_epi32(hi));
            let (mut k, mut r) = (0u64, 0u64);
            for (q, c) in c.as_chunks::<16>().0.iter().enumerate() {
                let x = ld32(c);
                k |= u64::from(_mm512_cmpneq_epi32_mask(x, u)) << (16 * q);
                r |= u64::from(_mm512_mask_cmple_epi32_mask(_mm512_cmpge_epi32_mask(x, l), x, h)) << (16 * q);
            }
            (k, r)
        }

        #[target_feature(enable = "avx512f,avx512bw,avx512vl")]
        #[inline]
        pub fn range_u32(c: &[u32; 64], unknown: u32, lo: u32, hi: u32) -> (u64, u64) {
            let i = |x: u32| i32::from_ne_bytes(x.to_ne_bytes());
            let (u, l, h) = (_mm512_set1_epi32(i(unknown)), _mm512_set1_epi32(i(lo)), _mm512_set1_epi32(i(hi)));
            let (mut k, mut r) = (0u64, 0u64);
            for (q, c) in c.as_chunks::<16>().0.iter().enumerate() {
                let x = ld32(&c.map(i));
                k |= u64::from(_mm512_cmpneq_epu32_mask(x, u)) << (16 * q);
                r |= u64::from(_mm512_mask_cmple_epu32_mask(_mm512_cmpge_epu32_mask(x, l), x, h)) << (16 * q);
            }
            (k, r)
        }

        #[target_feature(enable = "avx512f,avx512bw,avx512vl")]
        #[inline]
        pub fn range_i64(c: &[i64; 64], unknown: i64, lo: i64, hi: i64) -> (u64, u64) {
            let (u, l, h) = (_mm512_set1_epi64(unknown), _mm512_set1_epi64(lo), _mm512_set1_epi64(hi));
            let (mut k, mut r) = (0u64, 0u64);
            for (q, c) in c.as_chunks::<8>().0.iter().enumerate() {
                let x = ld64(c);
                k |= u64::from(_mm512_cmpneq_epi64_mask(x, u)) << (8 * q);
                r |= u64::from(_mm512_mask_cmple_epi64_mask(_mm512_cmpge_epi64_mask(x, l), x, h)) << (8 * q);
            }
            (k, r)
        }

        #[target_feature(enable = "avx512f,avx512bw,avx512vl")]
        #[inline]
        pub fn range_u8(c: &[u8; 64], unknown: u8, lo: u8, hi: u8) -> (u64, u64) {
            let i = |x: u8| i8::from_ne_bytes([x]);
            let (u, l, h) = (_mm512_set1_epi8(i(unknown)), _mm512_set1_epi8(i(lo)), _mm512_set1_epi8(i(hi)));
            let x = ld8(c);
            let k = _mm512_cmpneq_epu8_mask(x, u);
            let r = _mm512_mask_cmple_epu8_mask(_mm512_cmpge_epu8_mask(x, l), x, h);
            (k, r)
        }

        #[target_feature(enable = "avx512f,avx512bw,avx512vl")]
        #[inline]
        pub fn bool_u8(c: &[u8; 64]) -> (u64, u64) {
            let x = ld8(c);
            (_mm512_cmpeq_epi8_mask(x, _mm512_set1_epi8(1)), _mm512_cmpeq_epi8_mask(x, _mm512_setzero_si512()))
        }
    }

    pub(super) mod v3 {
        use std::arch::x86_64::*;

        #[target_feature(enable = "avx2")]
        #[inline]
        fn ld8(c: &[u8; 32]) -> __m256i {
            let q = |i: usize| {
                let mut b = [0u8; 8];
                b.copy_from_slice(&c[8 * i..8 * i + 8]);
                i64::from_le_bytes(b)
            };
            _mm256_setr_epi64x(q(0), q(1), q(2), q(3))
        }

        #[target_feature(enable = "avx2")]
        #[inline]
        fn ld32(c: &[i32; 8]) -> __m256i {
            _mm256_setr_epi32(c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7])
        }

        #[target_feature(enable = "avx2")]
        #[inline]
        fn mask32(m: __m256i) -> u64 {
            u64::from(_mm256_movemask_ps(_mm256_castsi256_ps(m)).cast_unsigned() & 0xff)
        }

        #[target_feature(enable = "avx2")]
        #[inline]
        pub fn range_i32(c: &[i32; 64], unknown: i32, lo: i32, hi: i32) -> (u64, u64) {
            let (u, l, h) = (_mm256_set1_epi32(unknown), _mm256_set1_epi32(lo), _mm256_set1_epi32(hi));
            let (mut unk, mut out) = (0u64, 0u64);
            for (q, c) in c.as_chunks::<8>().0.iter().enumerate() {
                let x = ld32(c);
                unk |= mask32(_mm256_cmpeq_epi32(x, u)) << (8 * q);
                let o = _mm256_or_si256(_mm256_cmpgt_epi32(l, x), _mm256_cmpgt_epi32(x, h));
                out |= mask32(o) << (8 * q);
            }
            (!unk, !out)
        }

        #[target_feature(enable = "avx2")]
        #[inline]
        pub fn range_u32(c: &[u32; 64], unknown: u32, lo: u32, hi: u32) -> (u64, u64) {
            let i = |x: u32| i32::from_ne_bytes(x.to_ne_bytes());
            let (u, l, h) = (_mm256_set1_epi32(i(unknown)), _mm256_set1_epi32(i(lo)), _mm256_set1_epi32(i(hi)));
            let (mut unk, mut inr) = (0u64, 0u64);
            for (q, c) in c.as_chunks::<8>().0.iter().enumerate() {
                let x = ld32(&c.map(i));
                unk |= mask32(_mm256_cmpeq_epi32(x, u)) << (8 * q);
                // Unsigned: x >= lo iff max(x, lo) == x; x <= hi iff min(x, hi) == x.
                let ge = _mm256_cmpeq_epi32(_mm256_max_epu32(x, l), x);
                let le = _mm256_cmpeq_epi32(_mm256_min_epu32(x, h), x);
                inr |= mask32(_mm256_and_si256(ge, le)) << (8 * q);
            }
            (!unk, inr)
        }

        #[target_feature(enable = "avx2")]
        #[inline]
        pub fn range_i64(c: &[i64; 64], unknown: i64, lo: i64, hi: i64) -> (u64, u64) {
            let (u, l, h) = (_mm256_set1_epi64x(unknown), _mm256_set1_epi64x(lo), _mm256_set1_epi64x(hi));
            let (mut unk, mut out) = (0u64, 0u64);
            let mask = |m: __m256i| u64::from(_mm256_movemask_pd(_mm256_castsi256_pd(m)).cast_unsigned() & 0xf);
            for (q, c) in c.as_chunks::<4>().0.iter().enumerate() {
                let x = _mm256_setr_epi64x(c[0], c[1], c[2], c[3]);
                unk |= mask(_mm256_cmpeq_epi64(x, u)) << (4 * q);
                out |= mask(_mm256_or_si256(_mm256_cmpgt_epi64(l, x), _mm256_cmpgt_epi64(x, h))) << (4 * q);
            }
            (!unk, !out)
        }

        #[target_feature(enable = "avx2")]
        #[inline]
        fn mask8(m: __m256i) -> u64 {
            u64::from(_mm256_movemask_epi8(m).cast_unsigned())
        }

        #[target_feature(enable = "avx2")]
        #[inline]
        pub fn range_u8(c: &[u8; 64], unknown: u8, lo: u8, hi: u8) -> (u64, u64) {
            let i = |x: u8| i8::from_ne_bytes([x]);
            let (u, l, h) = (_mm256_set1_epi8(i(unknown)), _mm256_set1_epi8(i(lo)), _mm256_set1_epi8(i(hi)));
            let (mut unk, mut inr) = (0u64, 0u64);
            for (q, c) in c.as_chunks::<32>().0.iter().enumerate() {
                let x = ld8(c);
                unk |= mask8(_mm256_cmpeq_epi8(x, u)) << (32 * q);
                let ge = _mm256_cmpeq_epi8(_mm256_max_epu8(x, l), x);
                let le = _mm256_cmpeq_epi8(_mm256_min_epu8(x, h), x);
                inr |= mask8(_mm256_and_si256(ge, le)) << (32 * q);
            }
            (!unk, inr)
        }

        #[target_feature(enable = "avx2")]
        #[inline]
        pub fn bool_u8(c: &[u8; 64]) -> (u64, u64) {
            let (mut t, mut f) = (0u64, 0u64);
            for (q, c) in c.as_chunks::<32>().0.iter().enumerate() {
                let x = ld8(c);
                t |= mask8(_mm256_cmpeq_epi8(x, _mm256_set1_epi8(1))) << (32 * q);
                f |= mask8(_mm256_cmpeq_epi8(x, _mm256_setzero_si256())) << (32 * q);
            }
            (t, f)
        }
    }
}

#[cfg(test)]
mod tests {
    //! The dispatched functions and each x86 copy this machine can run, against the
    //! portable loop, on edge values (both bounds, the unknown value, the type's ends).
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    fn values<T: Copy>(edges: &[T], n: usize, seed: u64) -> Vec<T> {
        let mut s = seed;
        (0..n)
            .map(|_| {
                s = s.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
                edges[(s >> 33) as usize % edges.len()]
            })
            .collect()
    }

    type Words<'a, T> = &'a dyn Fn(&[T], T, Option<(T, T)>, bool, &mut [u64], &mut [u64]);
    type Copy64<'a, T> = &'a dyn Fn(&[T; 64], T, T, T) -> Option<(u64, u64)>;

    /// `words` over blocks of several lengths, and each `copies` over whole words.
    fn check<T: Copy + PartialOrd + std::fmt::Debug>(edges: &[T], words: Words<T>, copies: &[Copy64<T>]) {
        let mut ran = 0;
        for (seed, n) in [(1u64, 64usize), (2, 130), (3, 2048), (4, 1), (5, 1999)] {
            let s = values(edges, n, seed);
            for &unknown in edges.iter().take(3) {
                for &lo in edges {
                    for &hi in edges {
                        for bounds in [Some((lo, hi)), None] {
                            for neg in [false, true] {
                                let nw = n.div_ceil(64);
                                let (mut t, mut f) = (vec![0u64; nw], vec![0u64; nw]);
                                words(&s, unknown, bounds, neg, &mut t, &mut f);
                                for (w, c) in s.chunks(64).enumerate() {
                                    let (k, r) = range_portable(c, unknown, bounds);
                                    let r = if neg { !r } else { r };
                                    assert_eq!((t[w], f[w]), (k & r, k & !r), "{unknown:?} {bounds:?} {neg} word {w}");
                                }
                            }
                        }
                        for (w, c) in s.as_chunks::<64>().0.iter().enumerate() {
                            let want = range_portable(c, unknown, Some((lo, hi)));
                            for copy in copies {
                                if let Some(got) = copy(c, unknown, lo, hi) {
                                    assert_eq!(got, want, "{unknown:?} {lo:?}..={hi:?} word {w}");
                                    ran += 1;
                                }
                            }
                        }
                    }
                }
            }
        }
        // On x86-64 with AVX2 (every CI machine here) at least one copy ran.
        if cfg!(target_arch = "x86_64") && std::is_x86_feature_detected!("avx2") {
            assert!(ran > 0);
        }
    }

    macro_rules! copies {
        ($v3:ident, $v4:ident, $name:ident, $t:ty) => {
            #[multiversion(targets("x86_64+avx+avx2"))]
            fn $v3(c: &[$t; 64], u: $t, lo: $t, hi: $t) -> Option<(u64, u64)> {
                match_target! {
                    "x86_64+avx2" => Some(x86::v3::$name(c, u, lo, hi)),
                    _ => { let _ = (c, u, lo, hi); None },
                }
            }
            #[multiversion(targets("x86_64+avx+avx2+avx512f+avx512bw+avx512vl"))]
            fn $v4(c: &[$t; 64], u: $t, lo: $t, hi: $t) -> Option<(u64, u64)> {
                match_target! {
                    "x86_64+avx512f+avx512bw+avx512vl" => Some(x86::v4::$name(c, u, lo, hi)),
                    _ => { let _ = (c, u, lo, hi); None },
                }
            }
        };
    }
    copies!(i32_v3, i32_v4, range_i32, i32);
    copies!(i64_v3, i64_v4, range_i64, i64);
    copies!(u8_v3, u8_v4, range_u8, u8);
    copies!(u32_v3, u32_v4, range_u32, u32);

    #[multiversion(targets("x86_64+avx+avx2", "x86_64+avx+avx2+avx512f+avx512bw+avx512vl"))]
    fn bool_copy(c: &[u8; 64], v4: bool) -> Option<(u64, u64)> {
        match_target! {
            "x86_64+avx512f+avx512bw+avx512vl" => Some(if v4 { x86::v4::bool_u8(c) } else { x86::v3::bool_u8(c) }),
            "x86_64+avx2" => if v4 { None } else { Some(x86::v3::bool_u8(c)) },
            _ => { let _ = (c, v4); None },
        }
    }

    #[test]
    fn every_copy_packs_as_the_portable_loop() {
        check(&[i32::MIN, i32::MAX, 0, -1, 1, 20_000, 19_999, 20_001], &range_i32, &[&i32_v3, &i32_v4]);
        check(&[i64::MIN, i64::MAX, 0, -1, 1, 100_000, 99_999], &range_i64, &[&i64_v3, &i64_v4]);
        check(&[u8::MAX, 0, 1, 2, 3, 127, 128, 254], &range_u8, &[&u8_v3, &u8_v4]);
        check(&[u32::MAX, 0, 1, 5, 0x8000_0000, 0x7fff_ffff], &range_u32, &[&u32_v3, &u32_v4]);
        for (seed, n) in [(1u64, 64usize), (2, 130), (3, 2048), (4, 7)] {
            let s = values(&[0u8, 1, 2, 255, 128], n, seed);
            let nw = n.div_ceil(64);
            let (mut t, mut f) = (vec![0u64; nw], vec![0u64; nw]);
            bool_words(&s, &mut t, &mut f);
            for (w, c) in s.chunks(64).enumerate() {
                let want = (bits(c, |x| x == 1), bits(c, |x| x == 0));
                assert_eq!((t[w], f[w]), want);
                if let Ok(c) = <&[u8; 64]>::try_from(c) {
                    for v4 in [false, true] {
                        if let Some(got) = bool_copy(c, v4) {
                            assert_eq!(got, want);
                        }
                    }
                }
            }
        }
    }
}
