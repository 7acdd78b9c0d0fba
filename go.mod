module github.com/printgate/printgate

go 1.26

require (
	github.com/google/go-cmp v0.7.0
	github.com/mattn/go-sqlite3 v1.14.53
	github.com/xrash/smetrics v0.0.0-20250705151800-55b8f293f342
)
