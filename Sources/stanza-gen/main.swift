// stanza-gen: Swift types from XSD files.
//
//   stanza-gen generate FILE.xsd... --output-directory DIR [--schema-path DIR]... [--config FILE]
//                       [--module-name NAME] [--import MODULE]...
//
// Writes one `<file>.xsd.swift` per input (only when its contents change) and prints diagnostics to standard
// error. Exits non-zero only when an input could not be turned into code.

import Foundation
import StanzaGenCore

struct Options {
    var files: [String] = []
    var outputDirectory: String?
    var schemaPaths: [String] = []
    var config: String?
    var moduleName: String?
    var imports: [String] = []
}

func usage() -> Never {
    FileHandle.standardError.write(
        Data(
            """
            usage: stanza-gen generate FILE.xsd... --output-directory DIR [--schema-path DIR]... [--config FILE]
                                       [--module-name NAME] [--import MODULE]...

            """.utf8))
    exit(64)
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("stanza-gen: error: \(message)\n".utf8))
    exit(1)
}

func parse(_ arguments: [String]) -> Options {
    guard arguments.first == "generate" else { usage() }
    var options = Options()
    var iterator = arguments.dropFirst().makeIterator()
    func value(_ flag: String) -> String {
        guard let value = iterator.next() else { fail("\(flag) needs a value") }
        return value
    }
    while let argument = iterator.next() {
        switch argument {
        case "--output-directory": options.outputDirectory = value(argument)
        case "--schema-path": options.schemaPaths.append(value(argument))
        case "--config": options.config = value(argument)
        case "--module-name": options.moduleName = value(argument)
        case "--import": options.imports.append(value(argument))
        case "-h", "--help": usage()
        default:
            if argument.hasPrefix("-") { fail("unknown option \(argument)") }
            options.files.append(argument)
        }
    }
    return options
}

let options = parse(Array(CommandLine.arguments.dropFirst()))
guard let outputDirectory = options.outputDirectory, !options.files.isEmpty else { usage() }

var config = GeneratorConfig()
if let path = options.config {
    do {
        config = try JSONDecoder().decode(GeneratorConfig.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
    } catch {
        fail("cannot read the configuration \(path): \(error)")
    }
}

let diagnostics = DiagnosticCollector()
let pipeline = GeneratorPipeline(
    config: config, searchPaths: options.schemaPaths, imports: options.imports, moduleName: options.moduleName)
let outputs = pipeline.run(options.files, diagnostics: diagnostics)
for diagnostic in diagnostics.diagnostics {
    FileHandle.standardError.write(Data((diagnostic.description + "\n").utf8))
}
do {
    try FileManager.default.createDirectory(atPath: outputDirectory, withIntermediateDirectories: true)
    for output in outputs {
        let path = URL(fileURLWithPath: outputDirectory).appendingPathComponent(output.fileName).path
        let data = Data(output.contents.utf8)
        if FileManager.default.contents(atPath: path) != data {
            try data.write(to: URL(fileURLWithPath: path))
        }
    }
} catch {
    fail("cannot write to \(outputDirectory): \(error)")
}
exit(diagnostics.hasErrors ? 1 : 0)
