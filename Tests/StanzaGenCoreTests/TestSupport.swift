import Foundation

@testable import StanzaGenCore

/// The repository root, from this file's path.
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

/// The project's generator configuration.
func projectConfig() throws -> GeneratorConfig {
    let data = try Data(contentsOf: repositoryRoot.appendingPathComponent("Schemas/stanzagen.json"))
    return try JSONDecoder().decode(GeneratorConfig.self, from: data)
}

/// Writes text to a new temporary file and returns its path.
func temporaryFile(_ name: String, _ contents: String) throws -> String {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("stanzagen-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    let url = folder.appendingPathComponent(name)
    try contents.write(to: url, atomically: true, encoding: .utf8)
    return url.path
}

/// Generates Swift for one inline schema.
func generate(
    _ schema: String,
    name: String = "test.xsd",
    config: GeneratorConfig = GeneratorConfig()
) throws -> (swift: String, diagnostics: [Diagnostic]) {
    let path = try temporaryFile(name, schema)
    let diagnostics = DiagnosticCollector()
    let outputs = GeneratorPipeline(config: config, moduleName: "Test").run([path], diagnostics: diagnostics)
    return (outputs.first?.contents ?? "", diagnostics.diagnostics)
}

/// Runs a command and returns its exit status and combined output.
func run(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}
