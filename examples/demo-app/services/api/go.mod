module example.com/demo/api

go 1.20

require (
	golang.org/x/text v0.3.5
	github.com/gorilla/websocket v1.4.0
)

require golang.org/x/net v0.0.0-20210226172049-e18ecbb05110 // indirect
