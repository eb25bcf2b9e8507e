// Command empty does nothing: the start-up time of any Go program here.
package main

func main() {}
