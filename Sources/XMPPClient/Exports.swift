// `import XMPPClient` gives the client, the stream layer, SASL, the core types and the base extensions (the XEPs its
// services speak); `import XMPPExtensions` adds the other XEP payloads (MUC, PubSub, MAM, ...).
@_exported public import SASL
@_exported public import XMPPBaseExtensions
@_exported public import XMPPStream
