/*
 * escape.h - making attacker-chosen text (process names, command lines,
 * chat messages) safe for a terminal and for JSON.  Pure functions: the
 * caller says whether the output is UTF-8 capable.
 */
#ifndef PMON_ESCAPE_H
#define PMON_ESCAPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/util.h"

/*
 * Decode one UTF-8 sequence at s (n bytes available).  Returns its length
 * (1-4) and stores the code point, or 0 for an invalid, overlong,
 * surrogate or truncated sequence.
 */
size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp);

/* Code points that must never reach a terminal raw even when valid:
 * C0/C1 controls, DEL, bidi overrides/isolates, line separators, BOM,
 * and the rest of what Unicode calls default ignorable (soft hyphen,
 * fillers, tags) but the variation selectors. */
bool codepoint_is_unsafe(uint32_t cp);

/*
 * The length of the terminal control sequence (ECMA-48) that starts at
 * s[0..n), or 0 if s does not start with ESC or a C1 code.  For text that
 * removes control sequences whole (chat) rather than showing every byte
 * escaped (esc_append: ps and tree show what a name holds).  C1 codes are
 * the code points U+0080..U+009F when utf8 is set, the bytes 0x80..0x9f
 * otherwise.  The rules, so that nothing is left behind as residue
 * ("[2J") and nothing is swallowed on a guess:
 *
 *   CSI (ESC [, C1 CSI): parameter and intermediate bytes 0x20-0x3f (in
 *     any order: a terminal ignores a malformed CSI up to its final byte,
 *     and so swallows it), a final byte 0x40-0x7e.  Without its final
 *     byte it ends just before the first byte that cannot belong to it.
 *   OSC, DCS, SOS, PM, APC (ESC ] P X ^ _, or C1): a string up to and
 *     including its terminator, BEL or ST (ESC \ or C1 ST).  A string
 *     with no terminator before the end of the text, or before an ESC,
 *     CAN, SUB or C1 code that would cut it short on a terminal, is only
 *     its introducer: the text after it stays.
 *   Any other escape sequence: ESC, intermediate bytes 0x20-0x2f, a final
 *     byte 0x30-0x7e (ESC c, ESC ( B, ESC 7); without a final byte it ends
 *     as a CSI does, and ESC followed by nothing that fits is ESC alone.
 *   Any other C1 code: that code.
 */
size_t esc_sequence_len(const char *s, size_t n, bool utf8);

/*
 * Append s[0..n) to b so that every byte that is not printable text is
 * visible and inert: \e \a \b \f \n \r \t \v for those controls, \\ for a
 * backslash (so the escaping cannot be forged), \xHH for other bytes, and
 * \u{HHHH} for a valid but dangerous code point.  With utf8 false every
 * byte >= 0x80 is written as \xHH.  Returns the number of terminal columns
 * the appended text is assumed to take (one per ASCII byte or escape
 * character; wide characters are counted by wcwidth when utf8 is set).
 */
size_t esc_append(struct buf *b, const char *s, size_t n, bool utf8);

/*
 * As esc_append, but a backslash passes as one: for pmon's own messages
 * that quote what was typed (usage errors), where a regular expression's
 * "\(" or a library's "Unmatched ( or \(" should read as written, and
 * a forged "\e" could fool no one about anything but the message itself.
 */
size_t esc_append_message(struct buf *b, const char *s, size_t n, bool utf8);

/* Same as esc_append (esc_append_message), into a fixed buffer,
 * truncating at a character boundary; returns out. */
char *esc_string(const char *s, bool utf8, char *out, size_t size);
char *esc_string_message(const char *s, bool utf8, char *out, size_t size);

/*
 * Append s[0..n) to b as valid UTF-8: each invalid byte becomes U+FFFD.
 * Nothing else changes (JSON escaping of controls is the JSON library's).
 */
void utf8_sanitize(struct buf *b, const char *s, size_t n);

/*
 * Append s[0..n) to b as a label value of the Prometheus text format and
 * of OpenMetrics (between the quotes): the format's escapes \\, \" and
 * \n, and U+FFFD for each invalid UTF-8 byte (Prometheus refuses a whole
 * scrape over one) and for each code point codepoint_is_unsafe names
 * (the format would carry an ESC or a bidi override raw to whatever
 * terminal shows the scrape).
 */
void esc_label_value(struct buf *b, const char *s, size_t n);
/* Append s to b as the text of a # HELP line: \\ and \n escaped. */
void esc_help_text(struct buf *b, const char *s);

#endif
