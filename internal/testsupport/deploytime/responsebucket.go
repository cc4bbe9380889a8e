package deploytime

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"time"
)

// ResponseBucket stands in for the S3 bucket behind the presigned URLs
// CloudFormation sends custom resources their answers to ("Custom resource
// response objects": the provider PUTs a JSON file to the presigned URL). It
// is a real HTTPS server on a loopback port, with a certificate for
// *.s3.amazonaws.com, so a handler's PUT goes through Node's real https
// module, TLS and sockets; it records every PUT and can misbehave as a
// network or S3 does.
type ResponseBucket struct {
	server *httptest.Server
	ca     string

	mu     sync.Mutex
	puts   []Put
	faults []ResponseFault
}

// Put is a request the bucket received and what it answered.
type Put struct {
	Host, Path, Method string
	Headers            http.Header
	Body               string
	// Status is the bucket's answer; 0 for a connection it reset.
	Status int
}

// ResponseFault is how the bucket treats one request.
type ResponseFault int

const (
	// ResetConnection drops the connection with a TCP reset before
	// answering, as a stale kept-alive socket or a network blip does.
	ResetConnection ResponseFault = iota + 1
	// Forbidden answers 403 AccessDenied with S3's error body ("Error
	// responses", S3 API reference), as S3 answers a presigned URL used
	// after its expiration time ("Download and upload objects with presigned
	// URLs", S3 user guide): no retry changes it.
	Forbidden
	// Unavailable answers 503 SlowDown, S3's answer to too high a request
	// rate ("Error responses", S3 API reference).
	Unavailable
	// Stall reads the request and answers nothing until the client gives
	// up, or a minute has passed.
	Stall
)

// NewResponseBucket starts the bucket. Close stops it.
func NewResponseBucket() (*ResponseBucket, error) {
	cert, caPEM, err := bucketCertificate()
	if err != nil {
		return nil, err
	}
	b := &ResponseBucket{ca: caPEM}
	b.server = httptest.NewUnstartedServer(http.HandlerFunc(b.serve))
	b.server.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	b.server.StartTLS()
	return b, nil
}

// Endpoint is where a handler's PUTs go in the runtime.
func (b *ResponseBucket) Endpoint() *ResponseEndpoint {
	_, port, _ := net.SplitHostPort(b.server.Listener.Addr().String())
	p, _ := strconv.Atoi(port)
	return &ResponseEndpoint{Port: p, CA: b.ca}
}

// Close stops the bucket.
func (b *ResponseBucket) Close() { b.server.Close() }

// FailNext makes the next requests meet the given faults, one each.
func (b *ResponseBucket) FailNext(faults ...ResponseFault) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.faults = append(b.faults, faults...)
}

// Puts returns the requests received so far and forgets them.
func (b *ResponseBucket) Puts() []Put {
	b.mu.Lock()
	defer b.mu.Unlock()
	puts := b.puts
	b.puts = nil
	return puts
}

func (b *ResponseBucket) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	put := Put{Host: r.Host, Path: r.URL.RequestURI(), Method: r.Method, Headers: r.Header.Clone(), Body: string(body)}
	b.mu.Lock()
	var fault ResponseFault
	if len(b.faults) > 0 {
		fault, b.faults = b.faults[0], b.faults[1:]
	}
	b.mu.Unlock()
	// Recorded whatever the answer, a stall or a reset included.
	defer func() {
		b.mu.Lock()
		b.puts = append(b.puts, put)
		b.mu.Unlock()
	}()
	switch {
	case fault == ResetConnection:
		conn, _, err := w.(http.Hijacker).Hijack()
		if err != nil {
			panic(http.ErrAbortHandler)
		}
		// SO_LINGER 0: closing sends a TCP RST, not a FIN.
		if tcp, ok := conn.(*tls.Conn).NetConn().(*net.TCPConn); ok {
			_ = tcp.SetLinger(0)
		}
		conn.Close()
	case fault == Stall:
		select {
		case <-r.Context().Done():
		case <-time.After(time.Minute):
		}
		panic(http.ErrAbortHandler)
	case fault == Forbidden:
		put.Status = http.StatusForbidden
		writeS3Error(w, put.Status, "AccessDenied", "Request has expired")
	case fault == Unavailable:
		put.Status = http.StatusServiceUnavailable
		writeS3Error(w, put.Status, "SlowDown", "Please reduce your request rate.")
	case r.Method != http.MethodPut:
		put.Status = http.StatusMethodNotAllowed
		writeS3Error(w, put.Status, "MethodNotAllowed", "The specified method is not allowed against this resource.")
	default:
		put.Status = http.StatusOK
		w.WriteHeader(put.Status)
	}
}

// writeS3Error writes S3's error body: Error/{Code,Message,RequestId}
// ("Error responses", Amazon S3 API reference).
func writeS3Error(w http.ResponseWriter, status int, code, message string) {
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?>`+"\n<Error><Code>"+code+"</Code><Message>"+message+"</Message><RequestId>0000000000000000</RequestId></Error>")
}

// bucketCertificate makes a self-signed certificate for *.s3.amazonaws.com,
// the host of every response URL, which the runtime trusts as its own CA.
func bucketCertificate() (tls.Certificate, string, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, "", err
	}
	template := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "*.s3.amazonaws.com"},
		DNSNames:              []string{"*.s3.amazonaws.com"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, template, template, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, "", err
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})), nil
}
