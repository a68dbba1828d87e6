package specs_test

import (
	"context"
	"io/fs"
	"testing"

	"github.com/telaio/telaio/arazzo"
	"github.com/telaio/telaio/asyncapi"
	"github.com/telaio/telaio/specs"
)

func TestPetOrder_ValidatesClean(t *testing.T) {
	doc, diags := arazzo.LoadFS(context.Background(), specs.FS, specs.PetOrderArazzo)
	if len(diags) > 0 {
		t.Fatalf("load: %v", diags)
	}
	if diags := arazzo.Validate(doc, arazzo.Strict()); len(diags) > 0 {
		t.Fatalf("validate: %v", diags)
	}
}

func TestPetOrder_AsyncAPILoadsClean(t *testing.T) {
	src, err := fs.ReadFile(specs.FS, specs.PetOrderAsyncAPI)
	if err != nil {
		t.Fatal(err)
	}
	d, err := asyncapi.Load(src, specs.PetOrderAsyncAPI)
	if err != nil || len(d.Diagnostics) > 0 {
		t.Fatalf("load: %v %v", err, d.Diagnostics)
	}
	op, err := d.OperationByID("placeOrder")
	if err != nil {
		t.Fatal(err)
	}
	if op.Action != asyncapi.ActionReceive || op.Reply == nil || op.Reply.Channel == nil || op.Reply.Channel.Address != "confirm-order" {
		t.Fatalf("placeOrder must receive and reply on confirm-order: %+v", op)
	}
}

func TestAsyncWorkflows_Listed(t *testing.T) {
	for _, p := range specs.AsyncWorkflows() {
		if _, err := fs.Stat(specs.FS, p); err != nil {
			t.Error(err)
		}
	}
}
