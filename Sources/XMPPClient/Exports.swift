// `import XMPPClient` gives the whole toolkit: the client, the stream layer, the core and extension types.
@_exported public import XMPPExtensions
@_exported public import XMPPStream
