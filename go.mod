module github.com/printgate/printgate

go 1.26
