	/** @jsx h */
import { h } from 'preact'
export default () => <Foo.Bar a="1" b={2} c>text {`t${1}`}</Foo.Bar>
