pub fn broken() {
    let x = ;
}
