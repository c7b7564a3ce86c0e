package reconcile

import (
	"context"

	"discdesk/app/pacs"
)

// ForwardTo is an Options.Forward that sends the coerced files to node with
// C-STORE (PS3.4 B) as client c, one error per file.
func ForwardTo(c *pacs.Client, node pacs.Node) func(ctx context.Context, paths []string) ([]error, error) {
	return func(ctx context.Context, paths []string) ([]error, error) {
		res, err := c.Store(ctx, node, paths)
		errs := make([]error, len(res))
		for i, r := range res {
			errs[i] = r.Err
		}
		return errs, err
	}
}
