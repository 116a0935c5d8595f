// The parts of libxml2 the package uses: the SAX2 push parser and its error reporting (XMPPXML), the tree API
// (the schema compiler), and XML Schema validation (the tests that check our schemas and fixtures).
#ifndef CLIBXML2_SHIM_H
#define CLIBXML2_SHIM_H

// Debian builds libxml2 with ICU, so its encoding.h includes ICU's headers, whose UErrorCode then clashes with
// the copy inside Foundation (_FoundationICU) in any module that imports both. We never touch ICU or the layout
// of xmlCharEncodingHandler (only pointers to it), so hide the ICU part of libxml2's headers.
#include <libxml/xmlversion.h>
#undef LIBXML_ICU_ENABLED

#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/xmlerror.h>
#include <libxml/tree.h>
#include <libxml/xmlschemas.h>

// libxml2's xmlFree is a global function pointer, which Swift 6 sees as shared mutable state.
static inline void clibxml2_free(void *pointer) { xmlFree(pointer); }

#endif
