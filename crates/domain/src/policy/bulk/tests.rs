//! Agreement of the bulk kernel with `evaluate_bound`.
