// XMPPExtensions: the payload types generated from Schemas/extensions (the XEPs), plus hand-written
// conveniences. Importing it also gives the core types.
@_exported public import XMPPCore
