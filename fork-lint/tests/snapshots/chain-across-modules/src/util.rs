pub fn announce(n: u32) {
    say(n);
}

fn say(n: u32) {
    println!("child {n}");
}
