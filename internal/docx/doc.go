// Package docx writes Word documents (OOXML .docx) for the letters and
// tables the platform hands to staff: 答复书, 告知书 and, later, annual
// report tables. Staff finish and sign these in WPS or Microsoft Word, so
// the output aims to open cleanly in both and to look like a 公文 page out
// of the box, not to reproduce a finished 红头文件.
//
// A Doc from New is laid out after GB/T 9704-2012: A4, margins 37/35/28/26
// mm, 仿宋_GB2312 三号 body on a fixed 28 pt line, 方正小标宋简体 二号
// titles and a "— 1 —" page number. The font table names fallbacks (仿宋,
// 宋体, …) and the GB2312 character set so a machine without the 公文 fonts
// substitutes a similar face rather than a Latin one.
//
// The output is deterministic: the same Doc gives the same bytes, so
// generated letters can be compared, cached and tested byte for byte.
//
// It deliberately does not do: images, headers, lists and numbering,
// footnotes, hyperlinks, styles beyond the defaults, several sections or
// page orientations, cell shading, or a character grid (a line of 三号
// holds about 27 characters, not the 28 a template with a grid gives).
// Line breaking and 避头尾 are left to Word, whose East Asian defaults the
// output keeps on. Reading .docx is internal/privacy's job, not this
// package's.
package docx
