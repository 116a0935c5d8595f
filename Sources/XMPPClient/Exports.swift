// `import XMPPClient` gives the whole toolkit: the client, the stream layer, SASL, the core and extension types.
@_exported public import SASL
@_exported public import XMPPExtensions
@_exported public import XMPPStream
