// XMPPExtensions: the payload types generated from Schemas/extensions (the XEPs), plus hand-written
// conveniences. Importing it also gives the base extensions (XMPPBaseExtensions) and the core types.
@_exported public import XMPPBaseExtensions
@_exported public import XMPPCore
