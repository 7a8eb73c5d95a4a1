import GatewayService

await Gateway.run()
