// Command deps links the dependencies kubectl-eksxa cannot do without, and
// does nothing: the start-up time (process, runtime, package init) that no
// change in kubectl-eksxa's own code can take away.
package main

import (
	_ "github.com/aws/aws-sdk-go-v2/config"
	_ "github.com/aws/aws-sdk-go-v2/service/eks"
	_ "github.com/aws/aws-sdk-go-v2/service/ssm"
	_ "github.com/aws/aws-sdk-go-v2/service/sts"
	_ "github.com/spf13/cobra"
	_ "github.com/zalando/go-keyring"
	_ "k8s.io/client-go/pkg/apis/clientauthentication/v1"
	_ "k8s.io/client-go/pkg/apis/clientauthentication/v1beta1"
	_ "k8s.io/client-go/tools/clientcmd"
)

func main() {}
