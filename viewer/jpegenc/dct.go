package jpegenc

// The forward DCT of Arai, Agui and Nakajima (AAN; Pennebaker and Mitchell,
// JPEG Still Image Data Compression Standard, 4.3.5; the IJG library's
// jfdctfst.c and jfdctflt.c) in integers. Its outputs are the true DCT
// coefficients times 8 * aan(u) * aan(v) * 2^passBits; the quantisation
// reciprocals (Encoder.setQuality) take those factors out. Samples reach
// 2^(7+passBits+6) after both passes and products 2^(13+passBits+constBits+1),
// hence int64.

const (
	constBits = 14 // fraction bits of the multipliers
	passBits  = 6  // extra fraction bits carried by the samples
	recipBits = 24 // fraction bits of the quantisation reciprocals
)

// The AAN multipliers, rounded to constBits fraction bits (checked against
// their definitions in the tests).
const (
	fix0707 = 11585 // cos(4*pi/16)
	fix0382 = 6270  // cos(6*pi/16)
	fix0541 = 8867  // cos(6*pi/16) * sqrt(2)
	fix1306 = 21407 // cos(2*pi/16) * sqrt(2)
)

func mul(v, c int64) int64 { return (v*c + 1<<(constBits-1)) >> constBits }

// fdct transforms the block of level-shifted samples (each scaled by
// 2^passBits) in place, rows first, then columns.
func fdct(b *[64]int64) {
	for i := 0; i < 64; i += 8 {
		r := b[i : i+8 : i+8]
		tmp0, tmp7 := r[0]+r[7], r[0]-r[7]
		tmp1, tmp6 := r[1]+r[6], r[1]-r[6]
		tmp2, tmp5 := r[2]+r[5], r[2]-r[5]
		tmp3, tmp4 := r[3]+r[4], r[3]-r[4]

		tmp10, tmp13 := tmp0+tmp3, tmp0-tmp3
		tmp11, tmp12 := tmp1+tmp2, tmp1-tmp2
		r[0] = tmp10 + tmp11
		r[4] = tmp10 - tmp11
		z1 := mul(tmp12+tmp13, fix0707)
		r[2] = tmp13 + z1
		r[6] = tmp13 - z1

		tmp10, tmp11, tmp12 = tmp4+tmp5, tmp5+tmp6, tmp6+tmp7
		z5 := mul(tmp10-tmp12, fix0382)
		z2 := mul(tmp10, fix0541) + z5
		z4 := mul(tmp12, fix1306) + z5
		z3 := mul(tmp11, fix0707)
		z11, z13 := tmp7+z3, tmp7-z3
		r[5] = z13 + z2
		r[3] = z13 - z2
		r[1] = z11 + z4
		r[7] = z11 - z4
	}
	for c := 0; c < 8; c++ {
		tmp0, tmp7 := b[c]+b[56+c], b[c]-b[56+c]
		tmp1, tmp6 := b[8+c]+b[48+c], b[8+c]-b[48+c]
		tmp2, tmp5 := b[16+c]+b[40+c], b[16+c]-b[40+c]
		tmp3, tmp4 := b[24+c]+b[32+c], b[24+c]-b[32+c]

		tmp10, tmp13 := tmp0+tmp3, tmp0-tmp3
		tmp11, tmp12 := tmp1+tmp2, tmp1-tmp2
		b[c] = tmp10 + tmp11
		b[32+c] = tmp10 - tmp11
		z1 := mul(tmp12+tmp13, fix0707)
		b[16+c] = tmp13 + z1
		b[48+c] = tmp13 - z1

		tmp10, tmp11, tmp12 = tmp4+tmp5, tmp5+tmp6, tmp6+tmp7
		z5 := mul(tmp10-tmp12, fix0382)
		z2 := mul(tmp10, fix0541) + z5
		z4 := mul(tmp12, fix1306) + z5
		z3 := mul(tmp11, fix0707)
		z11, z13 := tmp7+z3, tmp7-z3
		b[40+c] = z13 + z2
		b[24+c] = z13 - z2
		b[8+c] = z11 + z4
		b[56+c] = z11 - z4
	}
}
