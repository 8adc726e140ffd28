//! The package of txaio's first examples (`examples/*.rs` beside this folder); no library code.
