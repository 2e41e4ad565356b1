//! SNOMED CT identifiers' check digit (Verhoeff) and partition.

/// Whether an SCTID's last digit is its Verhoeff check digit (the dihedral
/// scheme SNOMED CT uses) and its partition says "concept".
pub fn verhoeff_ok(id: &str) -> bool {
    const D: [[u8; 10]; 10] = [
        [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
        [1, 2, 3, 4, 0, 6, 7, 8, 9, 5],
        [2, 3, 4, 0, 1, 7, 8, 9, 5, 6],
        [3, 4, 0, 1, 2, 8, 9, 5, 6, 7],
        [4, 0, 1, 2, 3, 9, 5, 6, 7, 8],
        [5, 9, 8, 7, 6, 0, 4, 3, 2, 1],
        [6, 5, 9, 8, 7, 1, 0, 4, 3, 2],
        [7, 6, 5, 9, 8, 2, 1, 0, 4, 3],
        [8, 7, 6, 5, 9, 3, 2, 1, 0, 4],
        [9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
    ];
    const P: [[u8; 10]; 8] = [
        [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
        [1, 5, 7, 6, 2, 8, 3, 0, 9, 4],
        [5, 8, 0, 3, 7, 9, 6, 1, 4, 2],
        [8, 9, 1, 6, 0, 4, 3, 5, 2, 7],
        [9, 4, 5, 3, 1, 2, 6, 8, 7, 0],
        [4, 2, 8, 6, 5, 7, 3, 9, 0, 1],
        [2, 7, 9, 3, 8, 0, 6, 4, 1, 5],
        [7, 0, 4, 6, 9, 1, 3, 2, 5, 8],
    ];
    let digits: Vec<u8> = id.bytes().map(|b| b.wrapping_sub(b'0')).collect();
    if digits.len() < 6 || digits.len() > 18 || digits.iter().any(|d| *d > 9) {
        return false;
    }
    let n = digits.len();
    if !matches!((digits[n - 3], digits[n - 2]), (0, 0) | (1, 0)) {
        return false;
    }
    let mut check = 0u8;
    for (i, d) in digits.iter().rev().enumerate() {
        check = D[check as usize][P[i % 8][*d as usize] as usize];
    }
    check == 0
}
