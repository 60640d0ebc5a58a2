import ArgumentParser
struct Uninstall: ParsableCommand { func run() throws {} }
