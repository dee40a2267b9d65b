package moderation

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
)

// Duplicate detection.
//
// Campaigns send one text many times, verbatim or lightly edited (a name
// changed, a word swapped, a sentence added). Both kinds are counted and
// shown once:
//
//   - Exact duplicates have the same SHA-256 over Normalize(text), so
//     spacing, punctuation, full-width forms and traditional characters do
//     not make two copies different.
//   - Near duplicates are judged by the Jaccard similarity of the texts'
//     character 3-shingles (every run of three consecutive letters or
//     digits of the normalized text); Chinese has no spaces, so characters,
//     not words, are the unit. Two texts are near duplicates when the
//     similarity is at least Config.NearDup (DefaultNearDup, 0.5).
//
// Comparing a new text with every stored one exactly would mean re-reading
// them all, so each text also stores a MinHash signature: 64 independent
// hash functions, each keeping the smallest hash over the text's shingles.
// The share of equal positions in two signatures estimates the Jaccard
// similarity (standard error ≤ 0.0625 with 64 positions); texts whose
// estimate comes within 0.15 of the threshold are re-read and compared
// exactly, so the estimate only selects candidates and never decides.

const (
	shingleLen = 3
	sigLen     = 64
	// candidateSlack is how far below the threshold an estimate may fall
	// and still be checked exactly: more than twice the standard error.
	candidateSlack = 0.15
)

// Signature is a MinHash signature.
type Signature [sigLen]uint32

// Fingerprint identifies a text for duplicate detection.
type Fingerprint struct {
	Hash string // hex SHA-256 of the normalized text
	Sig  Signature
}

// Fingerprinted returns text's fingerprint.
func Fingerprinted(text string) Fingerprint {
	norm := Normalize(text)
	sum := sha256.Sum256([]byte(norm))
	var sig Signature
	for i := range sig {
		sig[i] = ^uint32(0)
	}
	for sh := range shingles(norm) {
		h := fnv64(sh)
		for i := range sig {
			if v := uint32(mix(h^seeds[i]) >> 32); v < sig[i] {
				sig[i] = v
			}
		}
	}
	return Fingerprint{Hash: hex.EncodeToString(sum[:]), Sig: sig}
}

// String encodes the signature for storage (512 hex digits).
func (s Signature) String() string {
	b := make([]byte, 4*sigLen)
	for i, v := range s {
		binary.BigEndian.PutUint32(b[4*i:], v)
	}
	return hex.EncodeToString(b)
}

// ParseSignature reads a stored signature.
func ParseSignature(s string) (Signature, error) {
	var sig Signature
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != 4*sigLen {
		return sig, fmt.Errorf("moderation: bad signature")
	}
	for i := range sig {
		sig[i] = binary.BigEndian.Uint32(b[4*i:])
	}
	return sig, nil
}

// Estimate is the MinHash estimate of the Jaccard similarity.
func (s Signature) Estimate(o Signature) float64 {
	n := 0
	for i := range s {
		if s[i] == o[i] {
			n++
		}
	}
	return float64(n) / sigLen
}

// Similarity is the exact Jaccard similarity of two texts' shingles (1 for
// texts equal after normalization, including two empty ones).
func Similarity(a, b string) float64 {
	na, nb := Normalize(a), Normalize(b)
	if na == nb {
		return 1
	}
	sa, sb := shingles(na), shingles(nb)
	inter := 0
	for s := range sa {
		if sb[s] {
			inter++
		}
	}
	union := len(sa) + len(sb) - inter
	if union == 0 {
		return 0
	}
	return float64(inter) / float64(union)
}

// shingles is the set of runs of shingleLen runes; a shorter text is its
// own single shingle.
func shingles(norm string) map[string]bool {
	r := []rune(norm)
	out := map[string]bool{}
	if len(r) == 0 {
		return out
	}
	if len(r) <= shingleLen {
		out[norm] = true
		return out
	}
	for i := 0; i+shingleLen <= len(r); i++ {
		out[string(r[i:i+shingleLen])] = true
	}
	return out
}

// Candidate is a stored text to compare with.
type Candidate struct {
	ID   string
	Hash string
	Sig  Signature
}

// Match is the duplicate found.
type Match struct {
	ID    string
	Exact bool
	Score float64 // the exact similarity
}

// FindDuplicate returns the stored text most similar to text at or above
// threshold, or ok=false. An exact duplicate wins outright (the earliest
// in cands order); otherwise candidates whose estimate is close enough are
// re-read with load and compared exactly.
func FindDuplicate(text string, fp Fingerprint, threshold float64, cands []Candidate,
	load func(id string) (string, error)) (m Match, ok bool, err error) {
	for _, c := range cands {
		if c.Hash == fp.Hash {
			return Match{ID: c.ID, Exact: true, Score: 1}, true, nil
		}
	}
	if threshold >= 1 || Normalize(text) == "" {
		return Match{}, false, nil
	}
	for _, c := range cands {
		if fp.Sig.Estimate(c.Sig) < threshold-candidateSlack {
			continue
		}
		other, err := load(c.ID)
		if err != nil {
			return Match{}, false, err
		}
		if s := Similarity(text, other); s >= threshold && s > m.Score {
			m, ok = Match{ID: c.ID, Score: s}, true
		}
	}
	return m, ok, nil
}

// fnv64 is FNV-1a: the shingle's hash before the per-position mixing.
func fnv64(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}

// mix is the splitmix64 finalizer: XOR with a fixed seed then mix gives
// the independent hash functions MinHash needs.
func mix(z uint64) uint64 {
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// seeds are fixed forever: stored signatures must stay comparable across
// releases.
var seeds = func() (s [sigLen]uint64) {
	x := uint64(0x9e3779b97f4a7c15)
	for i := range s {
		x += 0x9e3779b97f4a7c15
		s[i] = mix(x)
	}
	return s
}()
