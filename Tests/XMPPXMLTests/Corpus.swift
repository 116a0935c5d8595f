/// Stanzas and other top-level elements for parser and serializer tests: namespaces declared in every way,
/// escapes in text and attributes, non-ASCII text, CDATA, `xml:lang`, empty elements, nested payloads.
let corpus: [String] = [
    "<message from='juliet@example.com/balcony' to='romeo@example.net' type='chat' id='m1' xml:lang='en'>"
        + "<body>Wherefore art thou, Romeo?</body><thread>e0ffe42b28561960c6b12b944a092794b9683a38</thread>"
        + "<active xmlns='http://jabber.org/protocol/chatstates'/></message>",
    "<message to='a@b'><body>5 &gt; 3 &amp;&amp; 2 &lt; 4, &quot;quoted&quot; &apos;single&apos;</body></message>",
    "<message to='a@b' id='x&amp;y&#38;z&lt;&gt;&quot;&apos;'><body>&#x1F680; &#233;t&#xE9; &#65;</body></message>",
    "<message><body>caf\u{E9} \u{2615} \u{1F680}\u{1F525} \u{0645}\u{0631}\u{062D}\u{0628}\u{0627} \u{4E2D}\u{6587}</body></message>",
    "<message><body><![CDATA[<not> &markup; ]]></body></message>",
    "<presence from='a@b/c'><show>away</show><status xml:lang='de'>Gr\u{FC}\u{DF}e</status><priority>5</priority>"
        + "<c xmlns='http://jabber.org/protocol/caps' hash='sha-1' node='https://example.org' ver='QgayPKawpkPSDYmwT/WM94uAlu0='/></presence>",
    "<iq type='result' id='d1' from='example.org'><query xmlns='http://jabber.org/protocol/disco#info'>"
        + "<identity category='server' type='im' name='Prosody'/><feature var='urn:xmpp:ping'/>"
        + "<x xmlns='jabber:x:data' type='result'><field var='FORM_TYPE' type='hidden'><value>urn:xmpp:dataforms:softwareinfo</value></field></x>"
        + "</query></iq>",
    "<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls>"
        + "<mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>SCRAM-SHA-1</mechanism></mechanisms></stream:features>",
    "<stream:error><not-well-formed xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>"
        + "<text xmlns='urn:ietf:params:xml:ns:xmpp-streams' xml:lang='en'>bye</text></stream:error>",
    "<p:iq xmlns:p='jabber:client' type='get' id='pfx'><q:ping xmlns:q='urn:xmpp:ping'/></p:iq>",
    "<message xmlns:x='urn:example:attr' x:flag='1' x:other='two' plain='3'><x:child x:inner='4'/></message>",
    "<message><outer xmlns='urn:a'><inner xmlns='urn:b'><deeper xmlns=''>no namespace</deeper></inner><back/></outer></message>",
    "<message>\n  <body>  leading and trailing whitespace  </body>\n\t<subject>tab\tand\r\nCRLF</subject>\n</message>",
    "<message id='ws' to='  spaced  '><body/><empty></empty></message>",
    "<message id='a>b' note=\"it's > 'that'\"><body>raw > in text, ]] too</body></message>",
    "<iq type='set' id='r1'><query xmlns='jabber:iq:roster' ver='ver7'><item jid='nurse@example.com' name='Nurse' subscription='both'>"
        + "<group>Friends</group><group>Servants &amp; Co.</group></item></query></iq>",
    "<message><forwarded xmlns='urn:xmpp:forward:0'><delay xmlns='urn:xmpp:delay' stamp='2010-07-10T23:08:25Z'/>"
        + "<message xmlns='jabber:client' from='x@y' type='chat'><body>inner</body><unknown xmlns='urn:unknown' a='b'>kept</unknown></message>"
        + "</forwarded></message>",
]
