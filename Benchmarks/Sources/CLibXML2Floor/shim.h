// See the comment in the library's Sources/CLibXML2/shim.h: hide the ICU part of libxml2's headers.
#include <libxml/xmlversion.h>
#undef LIBXML_ICU_ENABLED
#include <libxml/parser.h>
