module ledis-node/tools/ledis-server

go 1.26.8

require github.com/ledisdb/ledisdb v0.0.0-20200510135210-d35789ec47e6

require (
	github.com/cupcake/rdb v0.0.0-20161107195141-43ba34106c76 // indirect
	github.com/edsrzf/mmap-go v0.0.0-20170320065105-0bce6a688712 // indirect
	github.com/glendc/gopher-json v0.0.0-20170414221815-dc4743023d0c // indirect
	github.com/golang/snappy v0.0.0-20170215233205-553a64147049 // indirect
	github.com/pelletier/go-toml v1.9.5 // indirect
	github.com/peterh/liner v1.0.1-0.20171122030339-3681c2a91233 // indirect
	github.com/siddontang/go v0.0.0-20170517070808-cb568a3e5cc0 // indirect
	github.com/siddontang/goredis v0.0.0-20150324035039-760763f78400 // indirect
	github.com/siddontang/rdb v0.0.0-20150307021120-fc89ed2e418d // indirect
	github.com/syndtr/goleveldb v0.0.0-20160425020131-cfa635847112 // indirect
	github.com/ugorji/go v0.0.0-20171122102828-84cb69a8af83 // indirect
	github.com/yuin/gopher-lua v0.0.0-20171031051903-609c9cd26973 // indirect
	golang.org/x/net v0.0.0-20180906233101-161cd47e91fd // indirect
)
