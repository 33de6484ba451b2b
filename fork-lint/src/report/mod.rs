//! Output formats: sibling printers behind one small trait. (Work in progress.)
