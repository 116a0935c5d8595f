// XMPPBaseExtensions: the payload types generated from Schemas/base, the XEPs the client's own services speak
// (data forms, service discovery and result set management, entity capabilities, ping, software version, entity
// time). XMPPExtensions re-exports it with the rest. Importing it also gives the core types.
@_exported public import XMPPCore
