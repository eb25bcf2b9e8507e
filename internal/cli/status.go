package cli

import (
	"encoding/json"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/eksxa/kubectl-eksxa/pkg/cache"

	"github.com/eksxa/kubectl-eksxa/pkg/quote"
)

// kindUnindexed is a keyring item that no index row lists (the index was
// removed or lost): kubectl may still read it, so status shows it.
const kindUnindexed = "unindexed"

// statusRow is one cached entry as status shows it: never a secret.
type statusRow struct {
	Kind     string    `json:"kind"`
	Cluster  string    `json:"cluster,omitempty"`
	Region   string    `json:"region,omitempty"`
	Chain    []string  `json:"chain"`
	Identity string    `json:"identity,omitempty"`
	Store    string    `json:"store"`
	Expires  time.Time `json:"expires,omitzero"`
	Expired  bool      `json:"expired"`
}

func newStatusCommand(env Env) *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:   "status [-o json]",
		Short: "List what is cached: cluster, chain, identity, expiry (never a secret)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if output != "" && output != "json" && output != "text" {
				return usagef("-o: unknown output format %s (want text or json)", quote.Q(output))
			}
			dir, err := usableCacheDir(env, false)
			if err != nil {
				return err
			}
			entries, _ := readIndex(env, newIndex(dir, osKeyring(env)))
			now := env.Now()
			rows := make([]statusRow, 0, len(entries))
			for _, e := range entries {
				cluster, region := rowCluster(e)
				row := statusRow{
					Kind: e.Kind, Cluster: cluster, Region: region, Chain: e.Chain, Identity: e.Identity,
					Store: e.Store, Expires: e.Expires.UTC(), Expired: !e.Expires.After(now),
				}
				if row.Chain == nil {
					row.Chain = []string{}
				}
				rows = append(rows, row)
			}
			// The keyring cannot be listed through the index alone: an
			// index lost or removed leaves items kubectl still reads.
			unindexed := unindexedKeyringItems(env, entries)
			for range max(unindexed, 0) {
				rows = append(rows, statusRow{Kind: kindUnindexed, Chain: []string{}, Store: cache.NameKeyring})
			}
			if output == "json" {
				enc := json.NewEncoder(env.Stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(rows)
			}
			if unindexed < 0 {
				defer fmt.Fprintln(env.Stdout, "The OS keyring cannot be listed on this platform: items the cache index does not list may remain there; kubectl eksxa logout --all removes them.")
			}
			if len(rows) == 0 {
				_, err := fmt.Fprintf(env.Stdout, "Nothing cached in %s.\n", dir)
				return err
			}
			tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "KIND\tCLUSTER\tREGION\tCHAIN\tIDENTITY\tSTORE\tEXPIRES")
			for _, r := range rows {
				exp := "in " + r.Expires.Sub(now).Round(time.Second).String()
				switch {
				case r.Kind == kindUnindexed:
					exp = "unknown (not in the index; logout --all removes it)"
				case r.Expired:
					exp = "expired"
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.Kind, dash(r.Cluster), dash(r.Region),
					dash(strings.Join(r.Chain, " -> ")), dash(r.Identity), r.Store, exp)
			}
			return tw.Flush()
		},
	}
	cmd.Flags().StringVarP(&output, "output", "o", "text", "Output format: text or json.")
	return cmd
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
