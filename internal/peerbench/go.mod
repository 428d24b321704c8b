module github.com/masuk-id/masuk/internal/peerbench

go 1.26.0

replace github.com/masuk-id/masuk => ../..

require (
	github.com/masuk-id/masuk v0.0.0-00010101000000-000000000000
	github.com/mojocn/base64Captcha v1.3.8
)

require (
	github.com/cespare/xxhash/v2 v2.3.0 // indirect
	github.com/golang/freetype v0.0.0-20170609003504-e2365dfdc4a0 // indirect
	go.opentelemetry.io/otel v1.47.0 // indirect
	go.opentelemetry.io/otel/metric v1.47.0 // indirect
	golang.org/x/image v0.45.0 // indirect
	golang.org/x/sys v0.48.0 // indirect
	golang.org/x/text v0.42.0 // indirect
)
