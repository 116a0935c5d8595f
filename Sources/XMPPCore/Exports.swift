// XMPPCore's API is written in terms of XMPPXML's names and elements; importing XMPPCore brings them along.
@_exported public import XMPPXML
