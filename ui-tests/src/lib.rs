//! Compile-fail and compile-pass tests of the txaio macros, run with trybuild.
