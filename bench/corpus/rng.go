package corpus

import "math/bits"

// rng is xoshiro256** seeded through splitmix64. It is written out here (instead of using
// math/rand/v2) so that the corpus bytes depend only on this file: the same seed gives the same
// corpus with any Go version and on any architecture. No floating point is used when generating.
type rng struct{ s0, s1, s2, s3 uint64 }

func splitmix(x *uint64) uint64 {
	*x += 0x9e3779b97f4a7c15
	z := *x
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// newRNG returns the generator for one (seed, stream) pair; every document uses its own streams,
// so any document can be generated without generating the ones before it.
func newRNG(seed, stream uint64) rng {
	x := seed*0xd1342543de82ef95 ^ stream*0x9e3779b97f4a7c15 ^ 0x5851f42d4c957f2d
	var r rng
	r.s0 = splitmix(&x)
	r.s1 = splitmix(&x)
	r.s2 = splitmix(&x)
	r.s3 = splitmix(&x)
	return r
}

func (r *rng) next() uint64 {
	result := bits.RotateLeft64(r.s1*5, 7) * 9
	t := r.s1 << 17
	r.s2 ^= r.s0
	r.s3 ^= r.s1
	r.s1 ^= r.s2
	r.s0 ^= r.s3
	r.s2 ^= t
	r.s3 = bits.RotateLeft64(r.s3, 45)
	return result
}

// intn returns a value in [0, n) (multiply-shift; the bias is below 2^-40 for our n).
func (r *rng) intn(n int) int {
	hi, _ := bits.Mul64(r.next(), uint64(n))
	return int(hi)
}

// below returns a value in [0, k) for a 64-bit bound.
func (r *rng) below(k uint64) uint64 {
	hi, _ := bits.Mul64(r.next(), k)
	return hi
}

// chance reports true with probability num/den.
func (r *rng) chance(num, den int) bool { return r.intn(den) < num }

// alias is Vose's alias table over integer weights, built and sampled with integer arithmetic only.
type alias struct {
	k     uint64   // threshold scale: sum of weights
	prob  []uint64 // keep i when x < prob[i], x uniform in [0,k)
	other []int32
}

func newAlias(w []uint64) *alias {
	n := len(w)
	a := &alias{prob: make([]uint64, n), other: make([]int32, n)}
	var sum uint64
	for _, x := range w {
		sum += x
	}
	a.k = sum
	scaled := make([]uint64, n)
	var small, large []int32
	for i, x := range w {
		scaled[i] = x * uint64(n)
		if scaled[i] < sum {
			small = append(small, int32(i))
		} else {
			large = append(large, int32(i))
		}
	}
	for len(small) > 0 && len(large) > 0 {
		s := small[len(small)-1]
		small = small[:len(small)-1]
		l := large[len(large)-1]
		a.prob[s] = scaled[s]
		a.other[s] = l
		scaled[l] -= sum - scaled[s]
		if scaled[l] < sum {
			large = large[:len(large)-1]
			small = append(small, l)
		}
	}
	for _, i := range large {
		a.prob[i] = sum
		a.other[i] = i
	}
	for _, i := range small { // only reachable through rounding; keep them
		a.prob[i] = sum
		a.other[i] = i
	}
	return a
}

func (a *alias) sample(r *rng) int {
	i := r.intn(len(a.prob))
	if r.below(a.k) < a.prob[i] {
		return i
	}
	return int(a.other[i])
}

// cumulative picks an index from small integer weights.
type cumulative []int

func newCumulative(w []int) cumulative {
	c := make(cumulative, len(w))
	s := 0
	for i, x := range w {
		s += x
		c[i] = s
	}
	return c
}

func (c cumulative) sample(r *rng) int {
	x := r.intn(c[len(c)-1])
	for i, v := range c {
		if x < v {
			return i
		}
	}
	return len(c) - 1
}
