fn main() {
    usage_portal::start();
}
