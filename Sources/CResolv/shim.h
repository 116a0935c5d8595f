// glibc's DNS resolver (libresolv) for XMPPStream's SRV lookups. The resolver's entry points are macros in
// <resolv.h> (res_nquery is __res_nquery, dn_expand is __dn_expand) and so are the message accessors in
// <arpa/nameser.h> (ns_msg_count...): Swift imports neither, so each gets a small inline function here.
#ifndef CRESOLV_SHIM_H
#define CRESOLV_SHIM_H

#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <netdb.h>
#include <netinet/in.h>
#include <resolv.h>
#include <string.h>

/// Sends one query of class IN and `type` for `name` (taken as absolute: no search list) through a private
/// resolver state, so concurrent calls share nothing. With `nameserver` (an IPv4 address), that server at `port`
/// is asked instead of those in /etc/resolv.conf. Returns the length of the answer in `answer` (which may exceed
/// `answer_size` when the answer did not fit), or -1 with the resolver's h_errno (HOST_NOT_FOUND for NXDOMAIN,
/// NO_DATA for no record of that type, TRY_AGAIN, NO_RECOVERY, NETDB_INTERNAL) in `*error`.
static inline int cresolv_query(const char *name, int type, unsigned char *answer, int answer_size,
                                const char *nameserver, unsigned short port, int *error) {
    struct __res_state state;
    memset(&state, 0, sizeof state);
    if (res_ninit(&state) != 0) {
        *error = NETDB_INTERNAL;
        return -1;
    }
    if (nameserver != NULL) {
        struct in_addr address;
        if (inet_pton(AF_INET, nameserver, &address) != 1) {
            res_nclose(&state);
            *error = NETDB_INTERNAL;
            return -1;
        }
        // res_send copies nsaddr_list into its own table when the list changed, so this is honoured.
        state.nscount = 1;
        memset(&state.nsaddr_list[0], 0, sizeof state.nsaddr_list[0]);
        state.nsaddr_list[0].sin_family = AF_INET;
        state.nsaddr_list[0].sin_port = htons(port);
        state.nsaddr_list[0].sin_addr = address;
    }
    int length = res_nquery(&state, name, ns_c_in, type, answer, answer_size);
    *error = length < 0 ? state.res_h_errno : 0;
    res_nclose(&state);
    return length;
}

/// The number of records in a section of a parsed message.
static inline int cresolv_msg_count(const ns_msg *message, ns_sect section) {
    return ns_msg_count(*message, section);
}

/// Expands a (possibly compressed) domain name at `source` within the message `[start, end)` into `name`.
/// Returns the number of bytes the name takes at `source`, or -1 when it is malformed.
static inline int cresolv_expand_name(const unsigned char *start, const unsigned char *end,
                                      const unsigned char *source, char *name, int name_size) {
    return dn_expand(start, end, source, name, name_size);
}

#endif
