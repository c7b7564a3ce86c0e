package pacs

import "testing"

func TestStorageTable(t *testing.T) {
	for _, table := range [][]SOPClass{StorageSOPClasses, TransferSyntaxes} {
		seen := map[string]bool{}
		for _, c := range table {
			if !validUID(c.UID) || c.Name == "" || seen[c.UID] {
				t.Errorf("bad or duplicate entry %+v", c)
			}
			seen[c.UID] = true
		}
	}
	// C-GET proposes one context per storage class plus its own: at most
	// 128 presentation contexts fit an association (odd IDs 1-255).
	if len(StorageSOPClasses)+1 > 128 {
		t.Errorf("%d storage SOP classes do not fit one C-GET association", len(StorageSOPClasses))
	}
	_, metas := corpusFiles(t)
	for _, m := range metas {
		if !transferSet[m.TransferSyntaxUID] {
			t.Errorf("corpus transfer syntax %s not accepted", m.TransferSyntaxUID)
		}
	}
}
