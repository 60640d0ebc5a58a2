import ArgumentParser
struct Hook: ParsableCommand { func run() throws {} }
