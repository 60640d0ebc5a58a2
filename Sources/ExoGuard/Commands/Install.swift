import ArgumentParser
struct Install: ParsableCommand { func run() throws {} }
